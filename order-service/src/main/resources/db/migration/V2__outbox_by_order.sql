-- An order reads PUBLISHED once its outbox row is published: found by the order id.
create index outbox_aggregate_id on outbox (aggregate_id);
