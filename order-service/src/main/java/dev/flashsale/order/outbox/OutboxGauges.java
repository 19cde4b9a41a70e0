package dev.flashsale.order.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

import javax.sql.DataSource;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The outbox as an operator watches it beside the broker's queues: {@code flashsale_outbox_backlog}, the rows committed
 * and not yet published (not yet confirmed by the broker and marked), and {@code flashsale_outbox_oldest_age_seconds},
 * how long the oldest of them has waited, 0 when there is none. Orders are accepted while the broker is away; these two
 * say that their events are stuck in the table, and since when.
 *
 * <p>Read from the {@code outbox} table on each scrape, so that they are never older than the scrape. Both queries stay
 * on the index on {@code (published_at, id)} (V1) and never touch the published rows, which are most of the table:
 * the count reads the unpublished entries of the index only, and the oldest row is the first of them by id (the
 * relay's "oldest first": ids are taken in commit order, so its {@code created_at} is the oldest to within a group
 * commit). A database that does not answer within a second gives NaN, and the rest of the scrape goes on.
 */
@Component
class OutboxGauges {

    static final String BACKLOG = "flashsale.outbox.backlog";
    static final String OLDEST_AGE = "flashsale.outbox.oldest.age";

    private static final Logger log = LoggerFactory.getLogger(OutboxGauges.class);

    private final JdbcClient jdbc;

    OutboxGauges(DataSource dataSource, MeterRegistry meters) {
        JdbcTemplate template = new JdbcTemplate(dataSource);
        // In seconds: a scrape waits for these queries, and Prometheus gives up on a scrape after its timeout (10 s at most).
        template.setQueryTimeout(1);
        this.jdbc = JdbcClient.create(template);
        Gauge.builder(BACKLOG, () -> orNaN(this::backlog))
                .description("Outbox rows committed and not yet published (confirmed by the broker); NaN while the database does not answer")
                .register(meters);
        Gauge.builder(OLDEST_AGE, () -> orNaN(this::oldestAgeSeconds))
                .description("How long the oldest unpublished outbox row has waited, 0 when there is none; NaN while the database does not answer")
                .baseUnit("seconds")
                .register(meters);
    }

    private long backlog() {
        return jdbc.sql("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL").query(Long.class).single();
    }

    private double oldestAgeSeconds() {
        return jdbc.sql("SELECT created_at FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT 1")
                .query((rs, row) -> rs.getTimestamp("created_at").toInstant())
                .optional()
                .map(createdAt -> Math.max(0, Duration.between(createdAt, Instant.now()).toNanos() / 1e9))
                .orElse(0.0);
    }

    private static double orNaN(Supplier<Number> query) {
        try {
            return query.get().doubleValue();
        }
        catch (DataAccessException ex) {
            log.debug("Cannot read the outbox for its gauges: {}", ex.toString());
            return Double.NaN;
        }
    }
}
