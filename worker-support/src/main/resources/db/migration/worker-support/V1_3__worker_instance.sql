-- The processes of this worker that share its database, each with its latest counters (WorkerInstances): what
-- GET /api/stats sums up. Each process writes its row every few seconds (heartbeat_at in database time, so the
-- processes' clocks need not agree), removes it when it stops gracefully; a killed one stops writing and ages out.
CREATE TABLE worker_instance (
    -- Host, process id and a short random part (InstanceId).
    id           VARCHAR(200)             NOT NULL PRIMARY KEY,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
    -- Its counters at heartbeat_at, as JSON (WorkerInstances.Figures).
    figures      TEXT                     NOT NULL
);
