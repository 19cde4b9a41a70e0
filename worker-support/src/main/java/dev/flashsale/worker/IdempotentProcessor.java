package dev.flashsale.worker;

import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import dev.flashsale.events.OrderPlaced;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Applies each order at most once per worker: the dedup row and the worker's effect are written in one local
 * database transaction, so either both are committed or neither is.
 *
 * <p>A delivery whose order already has a dedup row (a redelivery, a duplicate publish, the same order under another
 * event id) is skipped, counted and acknowledged. Two consumers that get the same order at the same moment meet at
 * the dedup row's primary key: the second waits for the first transaction, then fails on the key and is skipped as a
 * duplicate.
 *
 * <p>It is the pipeline's, not the workers': the {@link OrderApplier} wraps every call of a worker's
 * {@link OrderPlacedHandler} in {@link #processOnce}, so a worker cannot forget it. The transaction is the caller's
 * when there is one: a batch's orders are applied in one transaction that commits once. The counters (the end-to-end delay among them: from the order's checkout
 * to this commit), and the log line of an order follow its commit, whichever path applied it.
 */
public final class IdempotentProcessor {

    /** The observation of a worker's effect on an order: a span, and the {@code flashsale.worker.effect} timer. */
    static final String EFFECT = "flashsale.worker.effect";

    private static final Logger log = LoggerFactory.getLogger(IdempotentProcessor.class);

    private final ProcessedOrderRepository processedOrders;
    private final TransactionTemplate transaction;
    private final WorkerStats stats;
    private final Clock clock;
    private final ObservationRegistry observations;

    IdempotentProcessor(ProcessedOrderRepository processedOrders, TransactionTemplate transaction, WorkerStats stats, Clock clock,
            ObservationRegistry observations) {
        this.processedOrders = processedOrders;
        this.transaction = transaction;
        this.stats = stats;
        this.clock = clock;
        this.observations = observations;
    }

    /**
     * Applies the effect to the order unless this worker has already applied it.
     *
     * @param event the order
     * @param effect the worker's work (its handler), run inside the transaction; an exception rolls both back
     * @return the outcome, or empty when the order had already been applied
     */
    Optional<Outcome> processOnce(OrderPlaced event, Function<OrderPlaced, Outcome> effect) {
        return transaction.execute(status -> {
            if (processedOrders.exists(event.orderId())) {
                afterCommit(() -> skipped(event));
                return Optional.empty();
            }
            try {
                // 1. The dedup row first: it locks the order id for this transaction.
                processedOrders.insert(event.orderId(), event.eventId(), clock.instant());
            }
            catch (DuplicateKeyException raced) {
                if (!status.isNewTransaction()) {
                    // Inside a batch: the batch stops here, and this order is tried again on its own, found applied.
                    throw raced;
                }
                status.setRollbackOnly();
                skipped(event);
                return Optional.empty();
            }
            // 2. The effect, in the same transaction: a span of its own in the order's trace (under the delivery's, or
            // the synchronous checkout's request), with the business outcome.
            Observation applying = Observation.createNotStarted(EFFECT, observations).contextualName("apply order");
            Outcome outcome = applying.observe(() -> {
                Outcome applied = effect.apply(event);
                applying.lowCardinalityKeyValue("outcome", applied.status());
                return applied;
            });
            processedOrders.recordOutcome(event.orderId(), outcome);
            // 3. Once committed, the dedup row and the effect are there together; on any exception, neither is.
            afterCommit(() -> applied(event, outcome));
            return Optional.of(outcome);
        });
    }

    /** Whether this worker has applied the order (while its dedup row is kept). */
    public boolean isApplied(UUID orderId) {
        return processedOrders.exists(orderId);
    }

    /** Which of these orders this worker has applied: one query for a batch. */
    public Set<UUID> appliedAmong(Collection<UUID> orderIds) {
        return processedOrders.existing(orderIds);
    }

    /** Dedup rows in order-id order, after {@code after} (exclusive), at most {@code limit}. */
    public List<ProcessedOrder> page(UUID after, int limit) {
        return processedOrders.page(after, limit);
    }

    /** The dedup row of an order, while it is kept. */
    public Optional<ProcessedOrder> find(UUID orderId) {
        return processedOrders.find(orderId);
    }

    private static void afterCommit(Runnable action) {
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    private void applied(OrderPlaced event, Outcome outcome) {
        stats.processed(outcome.status(), Duration.between(event.occurredAt(), clock.instant()));
        // DEBUG: at thousands of orders a second, a line per order costs more than applying it.
        log.debug("Order {} (event {}) applied: {}{}", event.orderId(), event.eventId(), outcome.status(),
                outcome.detail() == null ? "" : " (" + outcome.detail() + ")");
    }

    private void skipped(OrderPlaced event) {
        stats.duplicateSkipped();
        log.info("Order {} (event {}) was already applied: skipped", event.orderId(), event.eventId());
    }
}
