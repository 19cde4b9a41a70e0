-- One row per order line, in the minute the order was placed; the summary adds them up per SKU and minute.
-- Rows are only ever inserted, so concurrent consumers never contend for a shared counter row.
CREATE TABLE sale_line (
    order_id  UUID                     NOT NULL,
    line_no   INTEGER                  NOT NULL,
    sku       VARCHAR(64)              NOT NULL,
    minute_start TIMESTAMP WITH TIME ZONE NOT NULL,
    units     INTEGER                  NOT NULL,
    revenue   NUMERIC(19, 2)           NOT NULL,
    currency  CHAR(3)                  NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE INDEX sale_line_minute ON sale_line (minute_start, sku);
