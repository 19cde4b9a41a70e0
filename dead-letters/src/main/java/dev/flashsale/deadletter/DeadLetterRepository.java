package dev.flashsale.deadletter;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code dead_letter} table: one row per dead letter taken from the worker's DLQ, until it is replayed or
 * discarded.
 *
 * <p>Replays and discards find their rows with {@code SELECT ... FOR UPDATE}, inside the caller's transaction: a
 * row that one admin is replaying cannot be discarded or replayed by another at the same time, and a replay that
 * dies half-way (process killed, broker gone) leaves its rows where they were.
 */
final class DeadLetterRepository {

    private static final String SUMMARY_COLUMNS = "id, order_id, event_id, first_failed_at, last_failed_at, attempts, "
            + "replay_count, failure_group, dead_lettered_by, exception_class, exception_message, thrown_at, broker_reason, payload";

    private static final String ALL_COLUMNS = SUMMARY_COLUMNS + ", stack_trace, headers, properties";

    private static final TypeReference<Map<String, Object>> JSON_OBJECT = new TypeReference<>() {
    };

    private final JdbcClient jdbc;
    private final JsonMapper json;

    DeadLetterRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /**
     * Stores a dead letter unless the same one (same message, same replay count) is already stored: the DLQ can hand
     * out one dead letter twice (a redelivery after a crash before the ack, a dead letter republished after a lost
     * confirm), and it is still one dead letter.
     *
     * @return whether a row was inserted
     */
    boolean insertOnce(DeadLetter row, Instant ingestedAt) {
        try {
            jdbc.sql("""
                    INSERT INTO dead_letter (message_key, replay_count, order_id, event_id, first_failed_at, last_failed_at,
                        attempts, dead_lettered_by, failure_group, exception_class, exception_message, thrown_at,
                        broker_reason, stack_trace, headers, properties, payload, ingested_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")
                    .params(DeadLetterMessages.messageKey(row), row.replayCount(), row.orderId(), row.eventId(),
                            Timestamp.from(row.firstFailedAt()), Timestamp.from(row.lastFailedAt()), row.attempts(),
                            row.deadLetteredBy(), row.group(), row.exceptionClass(), row.exceptionMessage(), row.thrownAt(),
                            row.brokerReason(), row.stackTrace(), json.writeValueAsString(row.headers()),
                            json.writeValueAsString(row.properties()), row.payload(), Timestamp.from(ingestedAt))
                    .update();
            return true;
        }
        catch (DuplicateKeyException duplicate) {
            return false;
        }
    }

    long count() {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter").query(Long.class).single();
    }

    /** The newest dead letters first (by the time they were dead-lettered), without stack traces and headers. */
    List<DeadLetter> newest(int limit, @Nullable String group) {
        return jdbc.sql("SELECT " + SUMMARY_COLUMNS + " FROM dead_letter"
                        + (group == null ? "" : " WHERE failure_group = :group")
                        + " ORDER BY last_failed_at DESC, id DESC FETCH FIRST :limit ROWS ONLY")
                .params(group == null ? Map.of("limit", limit) : Map.of("limit", limit, "group", group))
                .query((rs, n) -> summary(rs))
                .list();
    }

    Optional<DeadLetter> find(long id) {
        return jdbc.sql("SELECT " + ALL_COLUMNS + " FROM dead_letter WHERE id = ?").param(id)
                .query((rs, n) -> full(rs)).optional();
    }

    /** Every failure group, the largest first. */
    List<DeadLetterGroup> groups() {
        return jdbc.sql("""
                        SELECT failure_group, dead_lettered_by, exception_class, thrown_at, broker_reason, COUNT(*) AS parked,
                            MIN(first_failed_at) AS first_failed_at, MAX(last_failed_at) AS last_failed_at,
                            MAX(exception_message) AS sample_message
                        FROM dead_letter
                        GROUP BY failure_group, dead_lettered_by, exception_class, thrown_at, broker_reason
                        ORDER BY parked DESC, last_failed_at DESC""")
                .query((rs, n) -> {
                    String by = rs.getString("dead_lettered_by");
                    String brokerReason = rs.getString("broker_reason");
                    return new DeadLetterGroup(rs.getString("failure_group"), by, rs.getString("exception_class"),
                            rs.getString("thrown_at"), brokerReason, rs.getLong("parked"),
                            rs.getTimestamp("first_failed_at").toInstant(), rs.getTimestamp("last_failed_at").toInstant(),
                            DeadLetter.BY_BROKER.equals(by) ? DeadLetter.describeBrokerReason(brokerReason)
                                    : rs.getString("sample_message"));
                })
                .list();
    }

    /** The row, locked until the caller's transaction ends; empty if there is none (any more). */
    Optional<DeadLetter> lock(long id) {
        return jdbc.sql("SELECT " + ALL_COLUMNS + " FROM dead_letter WHERE id = ? FOR UPDATE").param(id)
                .query((rs, n) -> full(rs)).optional();
    }

    /**
     * The next rows after {@code afterId} and up to {@code upToId}, oldest first, locked until the caller's
     * transaction ends. Rows that another transaction holds (an admin replaying or discarding them right now) are
     * skipped rather than waited for.
     */
    List<DeadLetter> lockBatch(long afterId, long upToId, @Nullable String group, int size) {
        return jdbc.sql("SELECT " + ALL_COLUMNS + " FROM dead_letter WHERE id > :after AND id <= :upTo"
                        + (group == null ? "" : " AND failure_group = :group")
                        + " ORDER BY id FETCH FIRST :size ROWS ONLY FOR UPDATE SKIP LOCKED")
                .params(group == null ? Map.of("after", afterId, "upTo", upToId, "size", size)
                        : Map.of("after", afterId, "upTo", upToId, "size", size, "group", group))
                .query((rs, n) -> full(rs))
                .list();
    }

    /** The highest id now, so that a replay of "all" ends with the rows that were there when it began. */
    long maxId() {
        Long max = jdbc.sql("SELECT MAX(id) FROM dead_letter").query(Long.class).optional().orElse(null);
        return max == null ? 0 : max;
    }

    boolean delete(long id) {
        return jdbc.sql("DELETE FROM dead_letter WHERE id = ?").param(id).update() == 1;
    }

    int delete(Collection<Long> ids) {
        return ids.isEmpty() ? 0 : jdbc.sql("DELETE FROM dead_letter WHERE id IN (:ids)").param("ids", ids).update();
    }

    private DeadLetter summary(ResultSet rs) throws SQLException {
        return row(rs, null, Map.of(), Map.of());
    }

    private DeadLetter full(ResultSet rs) throws SQLException {
        return row(rs, rs.getString("stack_trace"), json.readValue(rs.getString("headers"), JSON_OBJECT),
                json.readValue(rs.getString("properties"), JSON_OBJECT));
    }

    private static DeadLetter row(ResultSet rs, @Nullable String stackTrace, Map<String, Object> headers,
            Map<String, Object> properties) throws SQLException {
        return new DeadLetter(rs.getLong("id"), rs.getString("order_id"), rs.getString("event_id"),
                rs.getTimestamp("first_failed_at").toInstant(), rs.getTimestamp("last_failed_at").toInstant(),
                rs.getObject("attempts", Integer.class), rs.getInt("replay_count"), rs.getString("failure_group"),
                rs.getString("dead_lettered_by"), rs.getString("exception_class"), rs.getString("exception_message"),
                rs.getString("thrown_at"), rs.getString("broker_reason"), stackTrace, headers, properties,
                rs.getBytes("payload"));
    }
}
