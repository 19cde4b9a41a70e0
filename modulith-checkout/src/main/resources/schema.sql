-- The order-service's orders and lines (db/migration/V1), without its outbox: Modulith's registry is the outbox.
create table if not exists orders (
    id              uuid          primary key,
    customer_id     varchar(64)   not null,
    customer_email  varchar(254)  not null,
    currency        varchar(3)    not null,
    total           numeric(19,2) not null,
    status          varchar(16)   not null,
    idempotency_key varchar(200)  unique,
    created_at      timestamp with time zone not null
);

create table if not exists order_lines (
    order_id   uuid          not null references orders (id),
    line_no    int           not null,
    sku        varchar(64)   not null,
    quantity   int           not null,
    unit_price numeric(19,2) not null,
    primary key (order_id, line_no)
);
