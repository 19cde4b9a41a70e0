package dev.flashsale.worker;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.worker.demo.FaultInjector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryListener;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.core.retry.Retryable;

/**
 * One delivery handled on its own, in a transaction of its own: attempted, retried in place with exponential
 * backoff and jitter while the failure may be transient, and dead-lettered with its reason when the attempts are
 * used up or the failure can never succeed (a message that cannot be read, or an exception listed as not retryable).
 *
 * <p>The {@link OrderPlacedConsumer} sends a message here when it cannot be applied with the rest of its batch, and
 * every message while a fault knob is set. It uses Spring Framework's core retry ({@link RetryTemplate},
 * {@link RetryPolicy}), with a retry listener for the {@code retries} counter and the number of attempts handed to
 * the recoverer for the {@code x-attempts} header.
 */
final class DeliveryRetrier {

    private static final Logger log = LoggerFactory.getLogger(DeliveryRetrier.class);

    /** What became of a delivery. */
    enum Result {

        /** Applied, skipped as a duplicate, or dead-lettered: it can be acknowledged. */
        DONE,

        /** It goes back to the queue: the consumer "died" holding it (the crash knob), or the worker is stopping. */
        HAND_BACK
    }

    private final RetryTemplate retryTemplate;
    private final OrderPlacedMessageConverter converter;
    private final OrderApplier applier;
    private final DeadLetterRecoverer recoverer;
    private final FaultInjector faults;
    private final Clock clock;

    DeliveryRetrier(RetryPolicy policy, OrderPlacedMessageConverter converter, OrderApplier applier, DeadLetterRecoverer recoverer,
            FaultInjector faults, WorkerStats stats, Clock clock) {
        this.retryTemplate = new RetryTemplate(policy);
        this.retryTemplate.setRetryListener(new RetryListener() {
            @Override
            public void beforeRetry(RetryPolicy retryPolicy, Retryable<?> retryable) {
                stats.retried();
            }
        });
        this.converter = converter;
        this.applier = applier;
        this.recoverer = recoverer;
        this.faults = faults;
        this.clock = clock;
    }

    Result handle(Message message) {
        Object orderId = message.getMessageProperties().getHeader(EventHeaders.ORDER_ID);
        if (faults.crashNow()) {
            // As if the process had died holding the message: no retry, no dead letter of ours; the broker
            // takes it back and counts the delivery, and its delivery limit is what finally stops it.
            log.warn("Simulated consumer crash on order {}: handing the delivery back to the queue", orderId);
            return Result.HAND_BACK;
        }
        AtomicInteger attempts = new AtomicInteger();
        try {
            retryTemplate.execute(() -> attempt(message, orderId, attempts.incrementAndGet()));
            return Result.DONE;
        }
        catch (RetryException ex) {
            if (Thread.currentThread().isInterrupted()) {
                // Stopped while waiting between attempts: the message goes back to the queue, it did not fail for good.
                log.info("Interrupted between attempts for order {}: handing it back to the queue", orderId);
                return Result.HAND_BACK;
            }
            recoverer.recover(message, ex.getCause(), attempts.get());
            return Result.DONE;
        }
    }

    /** One attempt: the message read (an unreadable one fails every attempt, and is not retryable) and applied alone. */
    private Object attempt(Message message, Object orderId, int attempt) throws Throwable {
        try {
            applier.applyAlone(converter.fromMessage(message));
            return null;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw ex;
        }
        catch (Throwable ex) {
            // Kept if the message already carries it: a replayed message first failed before its replay.
            message.getMessageProperties().getHeaders()
                    .putIfAbsent(DeadLetterRecoverer.X_FIRST_FAILED_AT, clock.instant().toString());
            log.warn("Attempt {} for order {} failed: {}", attempt, orderId, FailureClassifier.rootCause(ex).toString());
            throw ex;
        }
    }
}
