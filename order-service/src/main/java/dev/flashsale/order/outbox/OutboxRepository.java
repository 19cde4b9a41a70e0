package dev.flashsale.order.outbox;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code outbox} table, in plain SQL and in batches: rows are written, marked and purged by the hundred. */
@Repository
class OutboxRepository {

    private final JdbcClient jdbc;
    private final JdbcTemplate batches;

    OutboxRepository(JdbcClient jdbc, JdbcTemplate batches) {
        this.jdbc = jdbc;
        this.batches = batches;
    }

    /** Reserves a block of ids: the sequence moves by the block size at each call (see V1's {@code increment by}). */
    long nextIdBlock() {
        return jdbc.sql("SELECT nextval('outbox_seq')").query(Long.class).single();
    }

    /** Appends rows, claimed by the instance that appends them ({@link OutboxLease}). */
    void insertAll(List<OutboxMessage> messages, String claimedBy) {
        batches.batchUpdate("""
                INSERT INTO outbox (id, event_id, aggregate_id, event_type, event_version, routing_key, payload, created_at,
                    traceparent, claimed_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
                messages.stream().map(m -> new Object[] { m.id(), m.eventId(), m.aggregateId(), m.eventType(), m.eventVersion(),
                        m.routingKey(), m.payload(), Timestamp.from(m.createdAt()), m.traceparent(), claimedBy }).toList());
    }

    /** An instance's rows not yet confirmed by the broker and older than the cut-off, oldest first. */
    List<OutboxMessage> findUnpublished(String claimedBy, Instant before, int limit) {
        return jdbc.sql("""
                SELECT id, event_id, aggregate_id, event_type, event_version, routing_key, payload, created_at, traceparent
                FROM outbox
                WHERE published_at IS NULL AND claimed_by = ? AND created_at < ? ORDER BY id LIMIT ?""")
                .params(claimedBy, Timestamp.from(before), limit)
                .query(OutboxRepository::message)
                .list();
    }

    /** Which of these rows are still unpublished. */
    Set<Long> unpublishedAmong(List<Long> ids) {
        return new HashSet<>(jdbc.sql("SELECT id FROM outbox WHERE published_at IS NULL AND id IN (:ids)")
                .param("ids", ids).query(Long.class).list());
    }

    /** Marks confirmed rows published, in one batch. */
    void markPublished(List<Long> ids, Instant at) {
        Timestamp when = Timestamp.from(at);
        batches.batchUpdate("UPDATE outbox SET published_at = ? WHERE id = ? AND published_at IS NULL",
                ids.stream().map(id -> new Object[] { when, id }).toList());
    }

    /** Deletes published rows older than the cut-off; unpublished rows are never deleted. */
    int deletePublishedBefore(Instant before) {
        return jdbc.sql("DELETE FROM outbox WHERE published_at < ?").param(Timestamp.from(before)).update();
    }

    private static OutboxMessage message(ResultSet rs, int row) throws SQLException {
        return new OutboxMessage(rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getObject("aggregate_id", UUID.class),
                rs.getString("event_type"), rs.getInt("event_version"), rs.getString("routing_key"), rs.getString("payload"),
                rs.getTimestamp("created_at").toInstant(), rs.getString("traceparent"));
    }
}
