package dev.flashsale.worker;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;

/** The dedup table {@code processed_order}: one row per applied order, keyed by the order id. */
final class ProcessedOrderRepository {

    private final JdbcClient jdbc;

    ProcessedOrderRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean exists(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(orderId)
                .query(Long.class).single() > 0;
    }

    /** The ones of these orders that have a row. */
    Set<UUID> existing(Collection<UUID> orderIds) {
        if (orderIds.isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(jdbc.sql("SELECT order_id FROM processed_order WHERE order_id IN (:orderIds)")
                .param("orderIds", orderIds).query(UUID.class).list());
    }

    /** Inserts the row; a duplicate order id fails on the primary key (and waits for a concurrent insert to end first). */
    void insert(UUID orderId, UUID eventId, Instant processedAt) {
        jdbc.sql("INSERT INTO processed_order (order_id, event_id, processed_at, outcome) VALUES (?, ?, ?, 'pending')")
                .params(orderId, eventId, Timestamp.from(processedAt)).update();
    }

    void recordOutcome(UUID orderId, Outcome outcome) {
        jdbc.sql("UPDATE processed_order SET outcome = ?, detail = ? WHERE order_id = ?")
                .params(outcome.status(), outcome.detail(), orderId).update();
    }

    Optional<ProcessedOrder> find(UUID orderId) {
        return jdbc.sql("SELECT order_id, event_id, processed_at, outcome, detail FROM processed_order WHERE order_id = ?")
                .param(orderId)
                .query(ProcessedOrderRepository::row)
                .optional();
    }

    /** The rows of those of the given orders that were applied, in one query. */
    List<ProcessedOrder> findAll(Collection<UUID> orderIds) {
        if (orderIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT order_id, event_id, processed_at, outcome, detail FROM processed_order WHERE order_id IN (:orderIds)")
                .param("orderIds", orderIds)
                .query(ProcessedOrderRepository::row)
                .list();
    }

    private static ProcessedOrder row(ResultSet rs, int row) throws SQLException {
        return new ProcessedOrder(rs.getObject("order_id", UUID.class), rs.getObject("event_id", UUID.class),
                rs.getTimestamp("processed_at").toInstant(), rs.getString("outcome"), rs.getString("detail"));
    }

    /** A page of rows in order-id order, after the given order id (exclusive); for tools that compare whole runs. */
    List<ProcessedOrder> page(UUID after, int limit) {
        return jdbc.sql("SELECT order_id, event_id, processed_at, outcome, detail FROM processed_order WHERE order_id > ? "
                + "ORDER BY order_id LIMIT ?")
                .params(after, limit)
                .query(ProcessedOrderRepository::row)
                .list();
    }

    int deleteProcessedBefore(Instant cutoff) {
        return jdbc.sql("DELETE FROM processed_order WHERE processed_at < ?").param(Timestamp.from(cutoff)).update();
    }
}
