package dev.flashsale.worker;

import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

import dev.flashsale.events.OrderPlaced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies each order at most once per worker: the dedup row and the worker's effect are written in one
 * local database transaction, so either both are committed or neither is.
 *
 * <p>A delivery whose order already has a dedup row (a redelivery, a duplicate publish, the same order
 * under another event id) is skipped, counted and acknowledged. Two consumers that get the same order at
 * the same moment meet at the dedup row's primary key: the second waits for the first transaction, then
 * fails on the key and is skipped as a duplicate.
 */
public final class IdempotentProcessor {

    private static final Logger log = LoggerFactory.getLogger(IdempotentProcessor.class);

    private final ProcessedOrderRepository processedOrders;
    private final TransactionTemplate transaction;
    private final WorkerStats stats;
    private final Clock clock;

    IdempotentProcessor(ProcessedOrderRepository processedOrders, TransactionTemplate transaction, WorkerStats stats, Clock clock) {
        this.processedOrders = processedOrders;
        this.transaction = transaction;
        this.stats = stats;
        this.clock = clock;
    }

    /**
     * Applies the effect to the order unless this worker has already applied it.
     *
     * @param event the order
     * @param effect the worker's work, run inside the transaction; an exception rolls both back
     * @return the outcome, or empty when the order had already been applied
     */
    public Optional<Outcome> processOnce(OrderPlaced event, Function<OrderPlaced, Outcome> effect) {
        Outcome outcome = transaction.execute(status -> {
            if (processedOrders.exists(event.orderId())) {
                return null;
            }
            try {
                // 1. The dedup row first: it locks the order id for this transaction.
                processedOrders.insert(event.orderId(), event.eventId(), clock.instant());
            }
            catch (DuplicateKeyException raced) {
                status.setRollbackOnly();
                return null;
            }
            // 2. The effect, in the same transaction.
            Outcome result = effect.apply(event);
            processedOrders.recordOutcome(event.orderId(), result);
            return result;
        });
        // 3. Committed: the dedup row and the effect are there together, or (on any exception) neither is.
        if (outcome == null) {
            stats.duplicateSkipped();
            log.info("Order {} (event {}) was already applied: skipped", event.orderId(), event.eventId());
            return Optional.empty();
        }
        stats.processed(outcome.status());
        log.info("Order {} (event {}) applied: {}{}", event.orderId(), event.eventId(), outcome.status(),
                outcome.detail() == null ? "" : " (" + outcome.detail() + ")");
        return Optional.of(outcome);
    }

    /** The dedup row of an order, while it is kept. */
    public Optional<ProcessedOrder> find(UUID orderId) {
        return processedOrders.find(orderId);
    }
}
