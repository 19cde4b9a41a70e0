-- The figures are kept per generation, so that a rebuild from the history stream can write a whole new set of them
-- beside the live one and swap it in at once (docs/decisions.md, "The order history stream").
-- sales_generation has one row: which generation the summary reads, and which one a running rebuild writes.
CREATE TABLE sales_generation (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    live       INTEGER NOT NULL,
    rebuilding INTEGER
);
INSERT INTO sales_generation (id, live, rebuilding) VALUES (1, 1, NULL);

-- A new table rather than ALTER ... DROP PRIMARY KEY: that is spelled differently in H2 and PostgreSQL.
CREATE TABLE sale_line_generation (
    generation   INTEGER                  NOT NULL,
    order_id     UUID                     NOT NULL,
    line_no      INTEGER                  NOT NULL,
    sku          VARCHAR(64)              NOT NULL,
    minute_start TIMESTAMP WITH TIME ZONE NOT NULL,
    units        INTEGER                  NOT NULL,
    revenue      NUMERIC(19, 2)           NOT NULL,
    currency     CHAR(3)                  NOT NULL,
    PRIMARY KEY (generation, order_id, line_no)
);
INSERT INTO sale_line_generation (generation, order_id, line_no, sku, minute_start, units, revenue, currency)
    SELECT 1, order_id, line_no, sku, minute_start, units, revenue, currency FROM sale_line;
DROP TABLE sale_line;
ALTER TABLE sale_line_generation RENAME TO sale_line;
CREATE INDEX sale_line_minute ON sale_line (generation, minute_start, sku);
