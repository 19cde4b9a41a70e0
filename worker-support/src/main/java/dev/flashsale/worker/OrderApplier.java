package dev.flashsale.worker;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.demo.FaultInjector;
import dev.flashsale.worker.demo.SimulatedCosts;
import io.micrometer.observation.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * The one way an order is applied, whichever path brings it: the fault knobs, "already applied?", the simulated
 * downstream cost (for an order not applied yet), then the worker's {@link OrderPlacedHandler} wrapped in
 * {@link IdempotentProcessor} (the dedup row and the effect in one transaction, the handler's {@link Outcome} recorded
 * beside the row). The batch consumer applies its batches {@link #applyTogether together}; a delivery on its own
 * ({@link DeliveryRetrier}, with its retries) and the synchronous checkout's HTTP call ({@link OrderPlacedController})
 * apply an order {@link #applyAlone alone}.
 *
 * <p>Wrapping the handler here is what makes idempotency impossible to forget: a worker writes its effect only, and
 * never sees an order it has applied already.
 */
public final class OrderApplier {

    private static final Logger log = LoggerFactory.getLogger(OrderApplier.class);

    private final OrderPlacedHandler handler;
    private final IdempotentProcessor processor;
    private final SimulatedCosts costs;
    private final FaultInjector faults;
    private final WorkerStats stats;
    private final TransactionTemplate batch;
    private final TransactionTemplate savepoint;

    OrderApplier(OrderPlacedHandler handler, IdempotentProcessor processor, SimulatedCosts costs, FaultInjector faults,
            WorkerStats stats, TransactionTemplate batch, TransactionTemplate savepoint) {
        this.handler = handler;
        this.processor = processor;
        this.costs = costs;
        this.faults = faults;
        this.stats = stats;
        this.batch = batch;
        this.savepoint = savepoint;
    }

    /**
     * Applies one order in a transaction of its own, unless this worker has applied it already. A failure the handler
     * {@link OrderPlacedHandler#waitOut waits out} is tried again at once; any other is the caller's.
     *
     * @return the outcome, or empty when the order had been applied already (it is then skipped and counted)
     */
    public Optional<Outcome> applyAlone(OrderPlaced order) throws InterruptedException {
        faults.beforeAttempt();
        if (!processor.isApplied(order.orderId())) {
            costs.spend(order);
        }
        while (true) {
            try {
                return processor.processOnce(order, handler::apply);
            }
            catch (RuntimeException failure) {
                if (!handler.waitOut(order, failure)) {
                    throw failure;
                }
            }
        }
    }

    /**
     * Applies orders in one transaction, a savepoint each, up to the first that fails; returns how many were committed
     * (the caller sends that one and the ones after it {@link #applyAlone alone}). The simulated costs of the orders not
     * applied yet are paid first, concurrently and outside the transaction. Each order is applied in the scope of its
     * delivery's observation ({@code observed}, in the same order), so that what it logs carries its trace id.
     */
    int applyTogether(List<OrderPlaced> orders, List<Observation> observed) {
        if (orders.isEmpty()) {
            return 0;
        }
        Set<UUID> applied = processor.appliedAmong(orders.stream().map(OrderPlaced::orderId).toList());
        costs.spendForBatch((int) orders.stream().filter(order -> !applied.contains(order.orderId())).count());
        try {
            int done = batch.execute(status -> {
                handler.beforeBatch(orders);
                return applyUpToTheFirstFailure(orders, observed);
            });
            stats.batchCommitted(done);
            return done;
        }
        catch (RuntimeException commitFailed) {
            // Nothing was committed (the database is away, a constraint at commit): each order gets its own tries.
            log.warn("A batch of {} orders could not be committed; each goes one at a time: {}", orders.size(), commitFailed.toString());
            return 0;
        }
    }

    private int applyUpToTheFirstFailure(List<OrderPlaced> orders, List<Observation> observed) {
        int n = 0;
        for (OrderPlaced order : orders) {
            try (Observation.Scope trace = observed.get(n).openScope()) {
                savepoint.executeWithoutResult(nested -> processor.processOnce(order, handler::apply));
            }
            catch (RuntimeException failure) {
                log.debug("Order {} failed in a batch ({}); it and the {} after it go one at a time", order.orderId(),
                        FailureClassifier.rootCause(failure).toString(), orders.size() - n - 1);
                break;
            }
            n++;
        }
        return n;
    }
}
