package dev.flashsale.analytics.sales;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Sale lines of one generation of the figures, and their sums per SKU and minute. */
@Repository
class SalesRepository {

    private final JdbcClient jdbc;

    SalesRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    boolean hasOrder(int generation, UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM sale_line WHERE generation = ? AND order_id = ?")
                .params(generation, orderId).query(Long.class).single() > 0;
    }

    void insert(int generation, UUID orderId, int lineNo, String sku, Instant minute, int units, BigDecimal revenue,
            String currency) {
        jdbc.sql("""
                INSERT INTO sale_line (generation, order_id, line_no, sku, minute_start, units, revenue, currency)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)""")
                .params(generation, orderId, lineNo, sku, Timestamp.from(minute), units, revenue, currency)
                .update();
    }

    int deleteGeneration(int generation) {
        return jdbc.sql("DELETE FROM sale_line WHERE generation = ?").param(generation).update();
    }

    /** Rows of generations other than these: left by a swap that was followed by a crash, or by an earlier version. */
    int deleteAllBut(int live) {
        return jdbc.sql("DELETE FROM sale_line WHERE generation <> ?").param(live).update();
    }

    List<SalesSummary.Minute> perMinute(int generation, Instant from, Instant to) {
        return jdbc.sql("""
                SELECT minute_start, sku, currency, SUM(units) AS units, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders
                FROM sale_line WHERE generation = ? AND minute_start >= ? AND minute_start < ?
                GROUP BY minute_start, sku, currency ORDER BY minute_start, sku, currency""")
                .params(generation, Timestamp.from(from), Timestamp.from(to))
                .query((rs, row) -> new SalesSummary.Minute(rs.getTimestamp("minute_start").toInstant(), rs.getString("sku"),
                        rs.getString("currency"), rs.getLong("units"), rs.getBigDecimal("revenue"), rs.getLong("orders")))
                .list();
    }

    List<SalesSummary.Sku> perSku(int generation, Instant from, Instant to) {
        return jdbc.sql("""
                SELECT sku, currency, SUM(units) AS units, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders
                FROM sale_line WHERE generation = ? AND minute_start >= ? AND minute_start < ?
                GROUP BY sku, currency ORDER BY sku, currency""")
                .params(generation, Timestamp.from(from), Timestamp.from(to))
                .query((rs, row) -> new SalesSummary.Sku(rs.getString("sku"), rs.getString("currency"),
                        rs.getLong("units"), rs.getBigDecimal("revenue"), rs.getLong("orders")))
                .list();
    }

    long orders(int generation, Instant from, Instant to) {
        return jdbc.sql("SELECT COUNT(DISTINCT order_id) FROM sale_line WHERE generation = ? AND minute_start >= ? AND minute_start < ?")
                .params(generation, Timestamp.from(from), Timestamp.from(to)).query(Long.class).single();
    }

    long orders(int generation) {
        return jdbc.sql("SELECT COUNT(DISTINCT order_id) FROM sale_line WHERE generation = ?")
                .param(generation).query(Long.class).single();
    }
}
