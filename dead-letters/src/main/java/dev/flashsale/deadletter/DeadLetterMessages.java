package dev.flashsale.deadletter;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Traceparent;
import dev.flashsale.worker.DeadLetterRecoverer;
import org.jspecify.annotations.Nullable;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.retry.RepublishMessageRecoverer;

/**
 * The two directions between an AMQP message and a {@link DeadLetter}: what the table keeps of a dead letter
 * taken from the DLQ, and the message a replay publishes from a row.
 *
 * <p>Reading never fails, whatever the message holds: a dead letter that could not be stored would have to stay
 * on the DLQ and would block every one behind it.
 */
final class DeadLetterMessages {

    /** How often a message has been replayed; a replay publishes it with this count plus one. */
    static final String X_REPLAY_COUNT = "x-replay-count";

    /** Headers that describe a delivery or a failure rather than the message: the table keeps them in columns. */
    private static final Set<String> BOOKKEEPING = Set.of(DeadLetterRecoverer.X_EXCEPTION_CLASS, DeadLetterRecoverer.X_ATTEMPTS,
            DeadLetterRecoverer.X_FAILED_QUEUE, DeadLetterRecoverer.X_DEAD_LETTERED_AT, DeadLetterRecoverer.X_FIRST_FAILED_AT,
            DeadLetterRecoverer.X_EXCEPTION_THROWN_AT, RepublishMessageRecoverer.X_EXCEPTION_MESSAGE,
            RepublishMessageRecoverer.X_EXCEPTION_STACKTRACE, RepublishMessageRecoverer.X_ORIGINAL_EXCHANGE,
            RepublishMessageRecoverer.X_ORIGINAL_ROUTING_KEY, X_REPLAY_COUNT, "x-death", "x-delivery-count",
            // Set by Spring AMQP on every mandatory publish with correlation data, to match a return to its send.
            "spring_returned_message_correlation");

    private static final List<String> BOOKKEEPING_PREFIXES = List.of("x-first-death-", "x-last-death-");

    private static final int MAX_MESSAGE = 2000;
    private static final int MAX_CLASS = 500;
    private static final int MAX_THROWN_AT = 1000;
    private static final int MAX_ORDER_ID = 100;
    private static final int MAX_EVENT_ID = 255;
    private static final int MAX_BROKER_REASON = 64;

    private DeadLetterMessages() {
    }

    /** What the table keeps of a dead letter taken from the DLQ; {@code now} stands in for times the message lacks. */
    static DeadLetter read(Message message, Instant now) {
        MessageProperties properties = message.getMessageProperties();
        Map<String, Object> headers = properties.getHeaders();
        Map<String, ?> death = firstDeath(properties);
        String exceptionClass = text(headers.get(DeadLetterRecoverer.X_EXCEPTION_CLASS), MAX_CLASS);
        boolean byBroker = exceptionClass == null && death != null;
        Instant deadAt = death == null ? null : instant(death.get("time"));
        Instant lastFailedAt = firstNonNull(instant(headers.get(DeadLetterRecoverer.X_DEAD_LETTERED_AT)), deadAt, now);
        Instant firstFailedAt = firstNonNull(instant(headers.get(DeadLetterRecoverer.X_FIRST_FAILED_AT)), deadAt, lastFailedAt);
        String stackTrace = text(headers.get(RepublishMessageRecoverer.X_EXCEPTION_STACKTRACE), Integer.MAX_VALUE);
        String thrownAt = text(headers.get(DeadLetterRecoverer.X_EXCEPTION_THROWN_AT), MAX_THROWN_AT);
        if (thrownAt == null) {
            thrownAt = text(topFrame(stackTrace), MAX_THROWN_AT);
        }
        String brokerReason = byBroker ? text(death.get("reason"), MAX_BROKER_REASON) : null;
        String deadLetteredBy = byBroker ? DeadLetter.BY_BROKER : DeadLetter.BY_WORKER;
        String exceptionMessage = text(headers.get(RepublishMessageRecoverer.X_EXCEPTION_MESSAGE), MAX_MESSAGE);
        if (!byBroker && exceptionClass == null) {
            // Neither the worker's headers nor the broker's: someone published it to the DLQ by hand.
            exceptionClass = "unknown";
            exceptionMessage = "no reason recorded: the message reached the DLQ without the worker's or the broker's headers";
        }
        return new DeadLetter(null,
                text(headers.get(EventHeaders.ORDER_ID), MAX_ORDER_ID),
                text(properties.getMessageId(), MAX_EVENT_ID),
                firstFailedAt,
                lastFailedAt,
                byBroker ? null : integer(headers.get(DeadLetterRecoverer.X_ATTEMPTS)),
                replayCount(headers),
                group(deadLetteredBy, exceptionClass, thrownAt, brokerReason),
                deadLetteredBy,
                byBroker ? null : exceptionClass,
                byBroker ? null : exceptionMessage,
                byBroker ? null : thrownAt,
                brokerReason,
                byBroker ? null : stackTrace,
                ownHeaders(headers),
                properties(properties),
                message.getBody() == null ? new byte[0] : message.getBody());
    }

    /**
     * The message a replay publishes: the original body, properties and headers, persistent, with the replay count
     * one higher and the time of the first failure kept, so that a second failure is recognisable as such.
     */
    static Message toReplay(DeadLetter row) {
        MessageProperties properties = new MessageProperties();
        Map<String, Object> kept = row.properties();
        properties.setContentType(string(kept.get("contentType")));
        properties.setContentEncoding(string(kept.get("contentEncoding")));
        properties.setCorrelationId(string(kept.get("correlationId")));
        properties.setType(string(kept.get("type")));
        properties.setAppId(string(kept.get("appId")));
        Instant timestamp = instant(kept.get("timestamp"));
        if (timestamp != null) {
            properties.setTimestamp(Date.from(timestamp));
        }
        if (kept.get("priority") instanceof Number priority) {
            properties.setPriority(priority.intValue());
        }
        properties.setMessageId(row.eventId());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        row.headers().forEach(properties::setHeader);
        // A replay is a trace of its own, linked to this one (ReplayPublisher): the header that would put it back in the
        // order's first trace goes; the publish writes the new trace's.
        properties.getHeaders().remove(Traceparent.HEADER);
        properties.setHeader(X_REPLAY_COUNT, row.replayCount() + 1);
        properties.setHeader(DeadLetterRecoverer.X_FIRST_FAILED_AT, row.firstFailedAt().toString());
        return new Message(row.payload(), properties);
    }

    /**
     * The key under which a dead letter is stored at most once (with its replay count): the message id, or for a
     * message without one, a hash of its body.
     */
    static String messageKey(DeadLetter row) {
        return row.eventId() != null ? row.eventId() : "sha256:" + sha256(row.payload());
    }

    /**
     * A stable, URL-safe key for a failure: the same exception class thrown at the same place, or the same broker
     * reason, always gets the same key, in every instance of the worker and after every restart.
     */
    static String group(String deadLetteredBy, @Nullable String exceptionClass, @Nullable String thrownAt,
            @Nullable String brokerReason) {
        String failure = DeadLetter.BY_BROKER.equals(deadLetteredBy) ? "broker\n" + brokerReason
                : "worker\n" + exceptionClass + "\n" + thrownAt;
        return sha256(failure.getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    /** Whether a text is a group key as {@link #group} makes them. */
    static boolean isGroupKey(String text) {
        return text.matches("[0-9a-f]{16}");
    }

    private static @Nullable Map<String, ?> firstDeath(MessageProperties properties) {
        // The broker's own record, newest first; only present when the broker dead-lettered the message.
        Object deaths = properties.getHeaders().get("x-death");
        if (deaths instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Map<?, ?> death) {
            @SuppressWarnings("unchecked")
            Map<String, ?> typed = (Map<String, ?>) death;
            return typed;
        }
        return null;
    }

    private static int replayCount(Map<String, Object> headers) {
        Integer count = integer(headers.get(X_REPLAY_COUNT));
        return count == null || count < 0 ? 0 : count;
    }

    private static Map<String, Object> ownHeaders(Map<String, Object> headers) {
        Map<String, Object> own = new LinkedHashMap<>();
        headers.forEach((name, value) -> {
            if (!BOOKKEEPING.contains(name) && BOOKKEEPING_PREFIXES.stream().noneMatch(name::startsWith) && value != null) {
                own.put(name, plain(value));
            }
        });
        return own;
    }

    private static Map<String, Object> properties(MessageProperties properties) {
        Map<String, Object> kept = new LinkedHashMap<>();
        putIfPresent(kept, "contentType", properties.getContentType());
        putIfPresent(kept, "contentEncoding", properties.getContentEncoding());
        putIfPresent(kept, "correlationId", properties.getCorrelationId());
        putIfPresent(kept, "type", properties.getType());
        putIfPresent(kept, "appId", properties.getAppId());
        putIfPresent(kept, "timestamp", properties.getTimestamp() == null ? null : properties.getTimestamp().toInstant().toString());
        putIfPresent(kept, "priority", properties.getPriority());
        return kept;
    }

    private static void putIfPresent(Map<String, Object> map, String name, @Nullable Object value) {
        if (value != null) {
            map.put(name, value);
        }
    }

    /**
     * A header value as JSON can hold it: AMQP long strings become strings, timestamps ISO-8601 strings, byte
     * arrays Base64; numbers, booleans, lists and tables stay what they are.
     */
    private static Object plain(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof byte[] bytes) {
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(element -> copy.add(element == null ? null : plain(element)));
            return copy;
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, element) -> copy.put(String.valueOf(key), element == null ? null : plain(element)));
            return copy;
        }
        return value.toString();
    }

    private static @Nullable String topFrame(@Nullable String stackTrace) {
        if (stackTrace == null) {
            return null;
        }
        for (String line : stackTrace.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("at ")) {
                return trimmed.substring(3);
            }
        }
        return null;
    }

    /** A header as text, cut to the column's length, without NUL characters (which PostgreSQL cannot store in text). */
    static @Nullable String text(@Nullable Object value, int max) {
        if (value == null) {
            return null;
        }
        String text = value.toString().replace("\u0000", "");
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static @Nullable String string(@Nullable Object value) {
        return value == null ? null : value.toString();
    }

    private static @Nullable Integer integer(@Nullable Object value) {
        if (value instanceof Number number) {
            return number.intValue();
        }
        if (value != null) {
            try {
                return Integer.valueOf(value.toString().trim());
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }
        return null;
    }

    private static @Nullable Instant instant(@Nullable Object value) {
        if (value instanceof Date date) {
            return date.toInstant();
        }
        if (value != null) {
            try {
                return Instant.parse(value.toString().trim());
            }
            catch (DateTimeParseException ex) {
                return null;
            }
        }
        return null;
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        throw new IllegalArgumentException("the last value must not be null");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every Java runtime has SHA-256", ex);
        }
    }
}
