-- Orders as the checkout accepted them. Written in SQL that both H2 and PostgreSQL run.
create table orders (
    id              uuid          primary key,
    customer_id     varchar(64)   not null,
    customer_email  varchar(254)  not null,
    currency        varchar(3)    not null,
    total           numeric(19,2) not null,
    status          varchar(16)   not null,
    -- Unique, so that two racing checkouts with the same key cannot both commit.
    idempotency_key varchar(200)  unique,
    request_hash    varchar(64)   not null,
    created_at      timestamp with time zone not null
);

create table order_lines (
    order_id   uuid          not null references orders (id),
    line_no    int           not null,
    sku        varchar(64)   not null,
    quantity   int           not null,
    unit_price numeric(19,2) not null,
    primary key (order_id, line_no)
);

-- The transactional outbox: written in the same transaction as the order, read by the publisher.
create sequence outbox_seq start with 1 increment by 50;

create table outbox (
    id            bigint        primary key,
    event_id      uuid          not null unique,
    aggregate_id  uuid          not null,
    event_type    varchar(100)  not null,
    event_version int           not null,
    payload       varchar(200000) not null,
    created_at    timestamp with time zone not null,
    published_at  timestamp with time zone
);

-- Serves both the relay (published_at is null, by id) and the purge (published_at < cut-off).
create index outbox_published_at_id on outbox (published_at, id);
