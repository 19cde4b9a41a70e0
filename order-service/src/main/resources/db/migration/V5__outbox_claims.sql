-- Several order-service instances on one database (docs/decisions.md, "Several order-service instances"). Each row names
-- the instance that carries it to the broker: the one that wrote it, until that instance is gone. An instance sends
-- only its own rows, so no row is sent by two instances in steady state; a dead instance's rows are taken over by a
-- live one once its heartbeat is older than the lease. Rows written before this version have no owner, and the first
-- instance to look takes them.
ALTER TABLE outbox ADD COLUMN claimed_by VARCHAR(100);

-- The live order-service instances: each writes its heartbeat here, in the database's own time (no clock skew
-- between machines), every few seconds.
CREATE TABLE outbox_instance (
    id           VARCHAR(100) PRIMARY KEY,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
