package dev.flashsale.inventory.stock;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Stock levels and reservations, in plain SQL so that the row locking is there to read. */
@Repository
class StockRepository {

    private final JdbcClient jdbc;

    StockRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** The available quantity, with the row locked until the transaction ends; empty for an unknown SKU. */
    Optional<Integer> lockAvailable(String sku) {
        return jdbc.sql("SELECT available FROM stock WHERE sku = ? FOR UPDATE").param(sku).query(Integer.class).optional();
    }

    void take(String sku, int quantity) {
        jdbc.sql("UPDATE stock SET available = available - ? WHERE sku = ?").params(quantity, sku).update();
    }

    void reserve(UUID orderId, String sku, int quantity) {
        jdbc.sql("INSERT INTO reservation (order_id, sku, quantity) VALUES (?, ?, ?)").params(orderId, sku, quantity).update();
    }

    List<StockLevel> findAll() {
        return jdbc.sql("SELECT sku, name, available FROM stock ORDER BY sku").query(StockLevel.class).list();
    }

    Optional<StockLevel> find(String sku) {
        return jdbc.sql("SELECT sku, name, available FROM stock WHERE sku = ?").param(sku).query(StockLevel.class).optional();
    }
}
