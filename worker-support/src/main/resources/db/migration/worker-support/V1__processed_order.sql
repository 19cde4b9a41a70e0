-- The dedup table of every worker (worker-support owns version 1; each worker's own migrations start at 2).
-- One row per applied order, written in the same transaction as the worker's effect.
CREATE TABLE processed_order (
    order_id     UUID                     NOT NULL PRIMARY KEY,
    event_id     UUID                     NOT NULL,
    processed_at TIMESTAMP WITH TIME ZONE NOT NULL,
    outcome      VARCHAR(32)              NOT NULL,
    detail       VARCHAR(500)
);

CREATE INDEX processed_order_processed_at ON processed_order (processed_at);
