-- Express orders: the order keeps its priority, and its outbox row the routing key that sends a second copy of its
-- event to the email worker's express queue (docs/decisions.md, "Express orders"). Existing rows are normal orders,
-- published with the routing key that the fanout ignores and the express exchange does not route.
ALTER TABLE orders ADD COLUMN priority VARCHAR(16) DEFAULT 'normal' NOT NULL;
ALTER TABLE outbox ADD COLUMN routing_key VARCHAR(255) DEFAULT 'order.placed' NOT NULL;
