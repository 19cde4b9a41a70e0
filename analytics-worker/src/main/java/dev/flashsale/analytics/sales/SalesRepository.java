package dev.flashsale.analytics.sales;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Sale lines, and their sums per SKU and minute. */
@Repository
class SalesRepository {

    private final JdbcClient jdbc;

    SalesRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    void insert(UUID orderId, int lineNo, String sku, Instant minute, int units, BigDecimal revenue, String currency) {
        jdbc.sql("INSERT INTO sale_line (order_id, line_no, sku, minute_start, units, revenue, currency) VALUES (?, ?, ?, ?, ?, ?, ?)")
                .params(orderId, lineNo, sku, Timestamp.from(minute), units, revenue, currency)
                .update();
    }

    List<SalesSummary.Minute> perMinute(Instant from, Instant to) {
        return jdbc.sql("""
                SELECT minute_start, sku, currency, SUM(units) AS units, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders
                FROM sale_line WHERE minute_start >= ? AND minute_start < ?
                GROUP BY minute_start, sku, currency ORDER BY minute_start, sku, currency""")
                .params(Timestamp.from(from), Timestamp.from(to))
                .query((rs, row) -> new SalesSummary.Minute(rs.getTimestamp("minute_start").toInstant(), rs.getString("sku"),
                        rs.getString("currency"), rs.getLong("units"), rs.getBigDecimal("revenue"), rs.getLong("orders")))
                .list();
    }

    List<SalesSummary.Sku> perSku(Instant from, Instant to) {
        return jdbc.sql("""
                SELECT sku, currency, SUM(units) AS units, SUM(revenue) AS revenue, COUNT(DISTINCT order_id) AS orders
                FROM sale_line WHERE minute_start >= ? AND minute_start < ?
                GROUP BY sku, currency ORDER BY sku, currency""")
                .params(Timestamp.from(from), Timestamp.from(to))
                .query((rs, row) -> new SalesSummary.Sku(rs.getString("sku"), rs.getString("currency"),
                        rs.getLong("units"), rs.getBigDecimal("revenue"), rs.getLong("orders")))
                .list();
    }

    long orders(Instant from, Instant to) {
        return jdbc.sql("SELECT COUNT(DISTINCT order_id) FROM sale_line WHERE minute_start >= ? AND minute_start < ?")
                .params(Timestamp.from(from), Timestamp.from(to)).query(Long.class).single();
    }
}
