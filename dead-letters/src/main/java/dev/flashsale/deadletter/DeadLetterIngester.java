package dev.flashsale.deadletter;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.ImmediateRequeueAmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageListener;
import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * Moves each dead letter from the worker's DLQ into the {@code dead_letter} table. The listener container
 * acknowledges the message when this returns, so only after the row is committed (or found there already).
 *
 * <p>While the database is unreachable it keeps the dead letter and tries again, with growing pauses, instead of
 * handing it back to the queue: a quorum queue counts every message handed back, and a DLQ with a delivery limit
 * would drop the dead letter after a few. Dead letters behind it wait on the DLQ meanwhile, where they are safe.
 */
final class DeadLetterIngester implements MessageListener {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterIngester.class);

    private final DeadLetterRepository repository;
    private final Clock clock;
    private final RetryTemplate untilStored;

    DeadLetterIngester(DeadLetterRepository repository, Clock clock, Duration maxInterval) {
        this.repository = repository;
        this.clock = clock;
        this.untilStored = new RetryTemplate(RetryPolicy.builder()
                .maxRetries(Long.MAX_VALUE)
                .delay(Duration.ofMillis(200))
                .multiplier(2)
                .maxDelay(maxInterval)
                .build());
    }

    @Override
    public void onMessage(Message message) {
        DeadLetter row = DeadLetterMessages.read(message, clock.instant());
        boolean inserted;
        try {
            inserted = untilStored.execute(() -> {
                try {
                    return repository.insertOnce(row, clock.instant());
                }
                catch (RuntimeException ex) {
                    log.warn("Cannot store the dead letter of order {} (event {}) yet, trying again: {}", row.orderId(),
                            row.eventId(), ex.toString());
                    throw ex;
                }
            });
        }
        catch (RetryException ex) {
            // Only an interruption ends the retries. If the process stops instead, the listener container closes the
            // channel and the broker takes the unacknowledged dead letter back: either way it stays on the DLQ.
            throw new ImmediateRequeueAmqpException("Stopped before the dead letter of order " + row.orderId() + " was stored", ex);
        }
        if (inserted) {
            log.info("Dead letter of order {} (event {}) parked: {} (group {}, replayed {} time(s) before)", row.orderId(),
                    row.eventId(), row.reason(), row.group(), row.replayCount());
        }
        else {
            log.info("Dead letter of order {} (event {}) was parked already: the duplicate is dropped", row.orderId(), row.eventId());
        }
    }
}
