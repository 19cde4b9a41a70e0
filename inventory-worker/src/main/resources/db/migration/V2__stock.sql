-- Stock per SKU and the reservations taken from it.
CREATE TABLE stock (
    sku       VARCHAR(64) NOT NULL PRIMARY KEY,
    name      VARCHAR(200) NOT NULL,
    available INTEGER     NOT NULL CHECK (available >= 0)
);

CREATE TABLE reservation (
    order_id UUID        NOT NULL,
    sku      VARCHAR(64) NOT NULL REFERENCES stock (sku),
    quantity INTEGER     NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, sku)
);

-- The seeded catalogue (documented in docs/workers.md): three everyday items with deep stock, so that
-- load tests reserve rather than reject, and one flash-sale item with little stock, to watch it sell out.
INSERT INTO stock (sku, name, available) VALUES ('SKU-1', 'Espresso cup', 1000000);
INSERT INTO stock (sku, name, available) VALUES ('SKU-2', 'Coffee beans 1 kg', 1000000);
INSERT INTO stock (sku, name, available) VALUES ('SKU-3', 'Milk jug', 1000000);
INSERT INTO stock (sku, name, available) VALUES ('FLASH-1', 'Limited-edition grinder (flash sale)', 100);
