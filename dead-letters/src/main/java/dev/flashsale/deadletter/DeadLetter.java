package dev.flashsale.deadletter;

import java.time.Instant;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/**
 * A message this worker could not process, parked in the {@code dead_letter} table until an admin replays or
 * discards it.
 *
 * @param id the row's id, null until it is stored
 * @param orderId the order, from the {@code order-id} header (as sent, not checked)
 * @param eventId the message id, which is the event id
 * @param firstFailedAt when its first attempt failed (before any replay); for a message the broker dead-lettered
 *        without a failed attempt, when the broker did
 * @param lastFailedAt when it was dead-lettered
 * @param attempts the attempts of the last run before it was dead-lettered; null when the broker dead-lettered it
 * @param replayCount how often it had been replayed before it failed this time
 * @param group the key of its failure group: the same exception thrown at the same place, or the same broker reason
 * @param deadLetteredBy {@code worker} (after its retries, with the exception) or {@code broker} (e.g. the delivery
 *        limit, when consumers died holding the message again and again)
 * @param exceptionClass the exception that made the last attempt fail; null when the broker dead-lettered it
 * @param exceptionMessage that exception's message, cut to 2,000 characters
 * @param thrownAt the top frame of that exception's stack trace
 * @param brokerReason the broker's reason ({@code x-death}), e.g. {@code delivery_limit}; null when the worker
 *        dead-lettered it
 * @param stackTrace the exception's stack trace as the worker sent it (cut to fit an AMQP frame)
 * @param headers the message's own headers, without what the dead-lettering added
 * @param properties the message's AMQP properties (content type and encoding, and any others it had)
 * @param payload the body, byte for byte
 */
public record DeadLetter(
        @Nullable Long id,
        @Nullable String orderId,
        @Nullable String eventId,
        Instant firstFailedAt,
        Instant lastFailedAt,
        @Nullable Integer attempts,
        int replayCount,
        String group,
        String deadLetteredBy,
        @Nullable String exceptionClass,
        @Nullable String exceptionMessage,
        @Nullable String thrownAt,
        @Nullable String brokerReason,
        @Nullable String stackTrace,
        Map<String, Object> headers,
        Map<String, Object> properties,
        byte[] payload) {

    /** Dead-lettered by the worker, after its attempts, with the exception. */
    public static final String BY_WORKER = "worker";

    /** Dead-lettered by the broker itself, e.g. because the queue's delivery limit was reached. */
    public static final String BY_BROKER = "broker";

    /** Why it failed, in one line: the exception and its message, or what the broker's reason means. */
    public String reason() {
        return BY_BROKER.equals(deadLetteredBy) ? describeBrokerReason(brokerReason) : exceptionClass + ": " + exceptionMessage;
    }

    /** The broker's dead-letter reasons ({@code x-death}'s {@code reason}) in words. */
    static String describeBrokerReason(@Nullable String reason) {
        if (reason == null) {
            return "dead-lettered by the broker";
        }
        return switch (reason) {
            case "delivery_limit" -> "delivery limit exceeded";
            case "rejected" -> "rejected by a consumer without requeue";
            case "expired" -> "expired in the queue (message TTL)";
            case "maxlen" -> "dropped by the queue's length limit";
            default -> "dead-lettered by the broker: " + reason;
        };
    }
}
