-- Which process runs the rebuild that fills sales_generation.rebuilding (worker-support's instance id, as in
-- worker_instance): with several processes of the worker, a process that starts may close an open rebuild only when
-- the process that opened it is gone (docs/decisions.md, "An open rebuild is closed only when its process is gone").
-- Null for a rebuild opened before this column existed: closed as before.
ALTER TABLE sales_generation ADD COLUMN rebuilding_by VARCHAR(200);
