-- Periodic tasks that one process of a worker runs for all of them (see docs/decisions.md, "N processes of a
-- worker"): each process schedules the task, and the one whose conditional UPDATE moves next_run_at forward runs it;
-- the others find it not due and skip. Database time decides, so the processes' clocks need not agree.
CREATE TABLE worker_task (
    name        VARCHAR(64)              NOT NULL PRIMARY KEY,
    next_run_at TIMESTAMP WITH TIME ZONE NOT NULL,
    -- The instance that last ran it, for whoever wonders (WorkerInstances' id).
    ran_by      VARCHAR(200)
);

INSERT INTO worker_task (name, next_run_at) VALUES ('dedup-purge', TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00');
