package dev.flashsale.order.checkout;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Orders and their lines, in plain SQL: inserted in JDBC batches (a group commit writes many orders at once),
 * read back one at a time.
 */
@Repository
class OrderRepository {

    /**
     * The status as stored, except that an asynchronous order whose event the broker confirmed reads
     * {@code PUBLISHED}: from its outbox row, or from the row's absence, since only published rows are purged.
     * The order row itself is never updated for it, which saves a write per order at full speed.
     */
    private static final String SELECT_ORDER = """
            SELECT o.id, o.customer_id, o.customer_email, o.currency, o.total, o.idempotency_key, o.request_hash, o.created_at, o.priority,
                   CASE WHEN o.status = 'ACCEPTED' AND NOT EXISTS
                             (SELECT 1 FROM outbox m WHERE m.aggregate_id = o.id AND m.published_at IS NULL)
                        THEN 'PUBLISHED' ELSE o.status END AS status
            FROM orders o""";

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;

    OrderRepository(JdbcClient jdbc, JdbcTemplate batches) {
        this.jdbc = jdbc;
        this.batches = batches;
    }

    /** Inserts new orders and their lines, in the caller's transaction. */
    void insertAll(List<Order> orders) {
        List<Object[]> rows = new ArrayList<>(orders.size());
        List<Object[]> lines = new ArrayList<>();
        for (Order order : orders) {
            rows.add(new Object[] { order.id(), order.customerId(), order.customerEmail(), order.currency(), order.total(),
                    order.status().name(), order.idempotencyKey(), order.requestHash(), Timestamp.from(order.createdAt()),
                    order.priority().wireName() });
            for (int i = 0; i < order.lines().size(); i++) {
                OrderLine line = order.lines().get(i);
                lines.add(new Object[] { order.id(), i, line.sku(), line.quantity(), line.unitPrice() });
            }
        }
        batches.batchUpdate("""
                INSERT INTO orders (id, customer_id, customer_email, currency, total, status, idempotency_key, request_hash, created_at,
                    priority)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""", rows);
        batches.batchUpdate("INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price) VALUES (?, ?, ?, ?, ?)", lines);
    }

    Optional<Order> find(UUID id) {
        return jdbc.sql(SELECT_ORDER + " WHERE o.id = ?").param(id).query(OrderRepository::order).optional().map(this::withLines);
    }

    Optional<Order> findByIdempotencyKey(String key) {
        return jdbc.sql(SELECT_ORDER + " WHERE o.idempotency_key = ?").param(key).query(OrderRepository::order).optional()
                .map(this::withLines);
    }

    /** The newest orders first, without their lines; the ids are time-ordered, so the primary key gives the order. */
    List<Order> latest(int limit) {
        return jdbc.sql(SELECT_ORDER + " ORDER BY o.id DESC LIMIT ?").param(limit).query(OrderRepository::order).list();
    }

    void updateStatus(UUID id, OrderStatus status) {
        jdbc.sql("UPDATE orders SET status = ? WHERE id = ?").params(status.name(), id).update();
    }

    private Order withLines(Order order) {
        List<OrderLine> lines = jdbc.sql("SELECT sku, quantity, unit_price FROM order_lines WHERE order_id = ? ORDER BY line_no")
                .param(order.id())
                .query((rs, row) -> new OrderLine(rs.getString("sku"), rs.getInt("quantity"), rs.getBigDecimal("unit_price")))
                .list();
        return new Order(order.id(), order.customerId(), order.customerEmail(), order.currency(), lines, order.total(),
                order.status(), order.idempotencyKey(), order.requestHash(), order.createdAt(), order.priority());
    }

    private static Order order(ResultSet rs, int row) throws SQLException {
        return new Order(rs.getObject("id", UUID.class), rs.getString("customer_id"), rs.getString("customer_email"),
                rs.getString("currency"), List.of(), rs.getBigDecimal("total"), OrderStatus.valueOf(rs.getString("status")),
                rs.getString("idempotency_key"), rs.getString("request_hash"), rs.getTimestamp("created_at").toInstant(),
                OrderPlaced.Priority.fromWire(rs.getString("priority")));
    }
}
