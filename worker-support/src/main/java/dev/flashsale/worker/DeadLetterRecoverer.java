package dev.flashsale.worker;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.retry.RepublishMessageRecovererWithConfirms;

/**
 * Sends a message that has failed for good to the worker's DLQ, through the dead-letter exchange,
 * with why it failed and after how many attempts.
 *
 * <p>A broker-side reject would dead-letter the message too, but it cannot add headers: the DLQ would
 * only say "rejected". So the worker republishes the message itself, with the reason, and waits for the
 * broker's publisher confirm (of a mandatory publish, so one that reached no queue comes back and does not
 * count) before the listener container acknowledges the original. If the confirm does not come, this throws,
 * the container hands the message back to the queue, and it is tried again (in the worst case it is
 * dead-lettered twice, never lost). The queue's own dead-lettering (delivery limit) stays as the safety net
 * for a consumer that never gets this far. From the DLQ, the dead letter moves on into the worker's
 * {@code dead_letter} table ({@code DeadLetterIngester}), where an admin replays or discards it.
 */
public class DeadLetterRecoverer extends RepublishMessageRecovererWithConfirms {

    /** The exception class of the final failure. */
    public static final String X_EXCEPTION_CLASS = "x-exception-class";

    /** How many attempts were made before the message was dead-lettered. */
    public static final String X_ATTEMPTS = "x-attempts";

    /** The work queue the message failed in. */
    public static final String X_FAILED_QUEUE = "x-failed-queue";

    /** When the worker dead-lettered the message (ISO-8601): its last failure. */
    public static final String X_DEAD_LETTERED_AT = "x-dead-lettered-at";

    /**
     * When the first attempt failed (ISO-8601). Set by {@link DeliveryRetrier} on the first failure and
     * kept from then on, also through a replay, so that a message that fails again after a replay still says when
     * its trouble began.
     */
    public static final String X_FIRST_FAILED_AT = "x-first-failed-at";

    /**
     * Where the exception was thrown: the top frame of its stack, e.g.
     * {@code dev.flashsale.inventory.stock.StockService.reserve(StockService.java:42)}. With the exception class
     * it says which failures are the same failure, so that dead letters can be grouped by it.
     */
    public static final String X_EXCEPTION_THROWN_AT = "x-exception-thrown-at";

    private static final Logger log = LoggerFactory.getLogger(DeadLetterRecoverer.class);

    private final String queue;
    private final WorkerStats stats;
    private final Clock clock;

    DeadLetterRecoverer(RabbitTemplate template, String queue, WorkerStats stats, long confirmTimeoutMillis, Clock clock) {
        super(template, Topology.DEAD_LETTER_EXCHANGE, Topology.deadLetterQueue(queue),
                CachingConnectionFactory.ConfirmType.CORRELATED);
        this.queue = queue;
        this.stats = stats;
        this.clock = clock;
        setConfirmTimeout(confirmTimeoutMillis);
        // The stack trace goes with the dead letter, cut to what fits in a frame beside the other headers.
        includeStackTrace(true);
    }

    /** Dead-letters the message with the reason and the number of attempts, once the broker confirms it. */
    void recover(Message message, Throwable failure, int attempts) {
        Throwable cause = FailureClassifier.rootCause(failure);
        message.getMessageProperties().setHeader(X_ATTEMPTS, attempts);
        recover(message, cause);
        stats.deadLettered();
        log.warn("Dead-lettered order {} (event {}) to {} after {} attempt(s): {}",
                message.getMessageProperties().getHeader(EventHeaders.ORDER_ID), message.getMessageProperties().getMessageId(),
                Topology.deadLetterQueue(queue), attempts, cause.toString());
    }

    @Override
    protected Map<? extends String, ?> additionalHeaders(Message message, Throwable cause) {
        Map<String, Object> headers = new HashMap<>();
        headers.put(X_EXCEPTION_CLASS, cause.getClass().getName());
        // The message of that same exception (the base class would take its cause's).
        headers.put(X_EXCEPTION_MESSAGE, String.valueOf(cause.getMessage()));
        headers.put(X_EXCEPTION_THROWN_AT, thrownAt(cause));
        headers.put(X_FAILED_QUEUE, queue);
        headers.put(X_DEAD_LETTERED_AT, clock.instant().toString());
        return headers;
    }

    /**
     * The top frame of the exception's stack, written out the same way on every JVM (without the module and
     * class loader names that {@link StackTraceElement#toString()} may add).
     */
    static String thrownAt(Throwable failure) {
        StackTraceElement[] stack = failure.getStackTrace();
        if (stack.length == 0) {
            return "unknown";
        }
        StackTraceElement top = stack[0];
        String location = top.isNativeMethod() ? "Native Method"
                : top.getFileName() == null ? "Unknown Source"
                : top.getLineNumber() >= 0 ? top.getFileName() + ":" + top.getLineNumber()
                : top.getFileName();
        return top.getClassName() + "." + top.getMethodName() + "(" + location + ")";
    }
}
