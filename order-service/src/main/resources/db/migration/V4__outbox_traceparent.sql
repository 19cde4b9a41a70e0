-- Each outbox row keeps the trace of the checkout that wrote it (a W3C traceparent, 55 characters), so that whoever
-- sends it, the publisher right after the commit or the relay after a broker outage, sends it as part of that trace
-- (docs/decisions.md, "Traces"). Null for rows written before, or outside any trace.
ALTER TABLE outbox ADD COLUMN traceparent VARCHAR(55);
