package dev.flashsale.analytics.sales;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.InstanceId;
import dev.flashsale.worker.Outcome;
import dev.flashsale.worker.WorkerInstances;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Records each order's lines once, bucketed by the minute the order was placed, and sums them up.
 *
 * <p>The figures are kept in generations: the summary reads the live one. A rebuild opens the next generation, fills
 * it from the history stream ({@link #replay}) while every new order is written to both, and then swaps it in
 * ({@link #swap}) in one transaction. An order is written to a generation at most once (its lines' primary key), so
 * an order that arrives both from the stream and from the queue is counted once.
 */
@Service
public class SalesService {

    private final SalesRepository sales;
    private final Generations generations;
    private final TransactionTemplate transaction;
    private final TransactionTemplate savepoint;
    private final TransactionTemplate snapshot;
    private final InstanceId instance;
    private final WorkerInstances instances;

    SalesService(SalesRepository sales, Generations generations,
            PlatformTransactionManager transactionManager, InstanceId instance, WorkerInstances instances) {
        this.instance = instance;
        this.instances = instances;
        this.sales = sales;
        this.generations = generations;
        this.transaction = new TransactionTemplate(transactionManager);
        this.savepoint = new TransactionTemplate(transactionManager);
        this.savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        // The summary's three queries read one snapshot: a swap between them must not mix two generations.
        this.snapshot = new TransactionTemplate(transactionManager);
        this.snapshot.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
        this.snapshot.setReadOnly(true);
    }

    /**
     * Records the order's sales; the pipeline runs this inside the dedup transaction, once per order however often it
     * is delivered.
     */
    public Outcome record(OrderPlaced event) {
        Generations.State state = generations.current();
        // Only a rebuild of a lost database can have put this order in the live generation without its dedup row;
        // live consumers never race each other here (the dedup row serialises them), so no savepoint is needed.
        if (!sales.hasOrder(state.live(), event.orderId())) {
            insert(state.live(), event);
        }
        if (state.rebuilding() != null) {
            insertRacingTheReplay(state.rebuilding(), event);
        }
        return Outcome.applied();
    }

    /**
     * Opens the next generation for a rebuild: from now on every new order is written to it as well.
     *
     * @return the generation to fill
     * @throws RebuildInProgressException if a rebuild is already filling one
     */
    public int open() {
        return transaction.execute(status -> {
            int next = generations.current().live() + 1;
            if (!generations.open(next, instance.value())) {
                throw new RebuildInProgressException(generations.current().rebuilding());
            }
            sales.deleteAllBut(next - 1);
            return next;
        });
    }

    /**
     * Writes orders read from the history stream into the generation being rebuilt, in one transaction.
     *
     * @param wanted which orders to keep (a rebuild from a time keeps those placed since then)
     * @return how many were new to that generation (the others were there already, from the stream or the queue)
     */
    public int replay(int generation, List<OrderPlaced> orders, Predicate<OrderPlaced> wanted) {
        return transaction.execute(status -> {
            int added = 0;
            for (OrderPlaced order : orders) {
                if (wanted.test(order) && insertRacingTheReplay(generation, order)) {
                    added++;
                }
            }
            return added;
        });
    }

    /**
     * Makes the rebuilt generation live and drops the one it replaces, in one transaction.
     *
     * @return how many orders the replaced generation and the new one hold
     * @throws IllegalStateException if the generation is no longer open (closed by a restart's clean-up)
     */
    public Swap swap(int generation) {
        return transaction.execute(status -> {
            int replaced = generations.current().live();
            long before = sales.orders(replaced);
            if (!generations.swap(generation)) {
                throw new IllegalStateException("Generation " + generation + " is no longer being rebuilt");
            }
            sales.deleteGeneration(replaced);
            return new Swap(replaced, generation, before, sales.orders(generation));
        });
    }

    /**
     * Gives up a rebuild: the live generation stays, the half-filled one is dropped; nothing is dropped if the
     * generation is no longer open (swapped in, or closed, by then).
     *
     * @return whether it was still open and is now closed
     */
    public boolean close(int generation) {
        return transaction.execute(status -> {
            if (!generations.close(generation)) {
                return false;
            }
            sales.deleteGeneration(generation);
            return true;
        });
    }

    /**
     * Closes a rebuild left open by a process that is gone (its replay died with it). A rebuild whose process is live
     * (a heartbeat in the registry of instances, this process's own included) runs and is left alone: with several
     * processes of the worker, one that starts must not close another's rebuild. Checked at start-up and every little
     * while: a process killed while it rebuilt stays live to the others until its heartbeat ages out (15 s).
     *
     * @return the generation closed, if one was
     */
    public Optional<Integer> closeAbandoned() {
        Generations.State state = generations.current();
        if (state.rebuilding() == null) {
            return Optional.empty();
        }
        if (state.rebuildingBy() != null
                && instances.live().stream().anyMatch(live -> live.id().equals(state.rebuildingBy()))) {
            return Optional.empty();
        }
        return close(state.rebuilding()) ? Optional.of(state.rebuilding()) : Optional.empty();
    }

    SalesSummary summary(Instant from, Instant to) {
        return snapshot.execute(status -> {
            int live = generations.current().live();
            return new SalesSummary(from, to, sales.orders(live, from, to), sales.perSku(live, from, to),
                    sales.perMinute(live, from, to));
        });
    }

    /**
     * Writes the order unless the generation has it. The replay and the live queue may write the same order into the
     * generation being rebuilt at the same moment: the second waits for the first at the primary key and fails on it,
     * and its savepoint keeps that failure from undoing the rest of its transaction.
     */
    private boolean insertRacingTheReplay(int generation, OrderPlaced event) {
        if (sales.hasOrder(generation, event.orderId())) {
            return false;
        }
        try {
            savepoint.executeWithoutResult(status -> insert(generation, event));
            return true;
        }
        catch (DuplicateKeyException raced) {
            return false;
        }
    }

    private void insert(int generation, OrderPlaced event) {
        // Event time, not processing time: a backlog drained later still lands in the minute of the sale.
        Instant minute = minuteOf(event.occurredAt());
        List<OrderPlaced.Line> lines = event.lines();
        for (int i = 0; i < lines.size(); i++) {
            OrderPlaced.Line line = lines.get(i);
            sales.insert(generation, event.orderId(), i, line.sku(), minute, line.quantity(), line.amount(), event.currency());
        }
    }

    static Instant minuteOf(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MINUTES);
    }

    /**
     * What a rebuild's swap changed.
     *
     * @param replaced the generation that was live
     * @param live the rebuilt generation, live now
     * @param ordersBefore orders the replaced generation held
     * @param ordersAfter orders the rebuilt one holds
     */
    public record Swap(int replaced, int live, long ordersBefore, long ordersAfter) {
    }
}
