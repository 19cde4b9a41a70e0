package dev.flashsale.order.checkout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.flashsale.order.outbox.Outbox;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.ErrorResponseException;

/**
 * Writes checkouts to the database in groups: one thread takes every order that arrived while the previous
 * commit was running, writes them all (each with its outbox row) in one transaction, and commits once. Each
 * request waits until the commit that holds its order is done, so it still answers only once its order is
 * durable; at low load a group is one order, under load a commit is shared by dozens.
 *
 * <p>This is group commit, the technique databases use for their own logs: a commit costs a write to the file
 * (and in PostgreSQL an fsync) whether it holds one order or a hundred. An order and its event are still written
 * in the same transaction, so the outbox's guarantee is unchanged.
 *
 * <p>If a group fails (a unique index: two requests racing with the same Idempotency-Key), each of its orders is
 * written again alone, so that one bad order fails only its own request. The queue is bounded: when it is full
 * the checkout answers 503 at once, instead of piling up requests that would time out anyway (backpressure).
 */
@Component
class OrderWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OrderWriter.class);

    /** The most orders in one transaction. */
    private static final int MAX_GROUP = 256;

    /** Orders waiting for a commit; beyond it the checkout is overloaded. */
    private static final int MAX_WAITING = 10_000;

    /** How long a request waits for its commit before it gives up (the order may still be committed). */
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    private final OrderRepository orders;
    private final Outbox outbox;
    private final TransactionTemplate transaction;
    private final DistributionSummary groupSize;
    private final BlockingQueue<Write> queue = new ArrayBlockingQueue<>(MAX_WAITING);
    private final Thread writer = new Thread(this::run, "order-writer");
    private volatile boolean running;

    OrderWriter(OrderRepository orders, Outbox outbox, TransactionTemplate transaction, MeterRegistry meters) {
        this.orders = orders;
        this.outbox = outbox;
        this.transaction = transaction;
        this.groupSize = DistributionSummary.builder("flashsale.checkout.group.size")
                .description("Orders written in one transaction by the group commit").register(meters);
    }

    /** An order to write, with its outbox entry (none for the synchronous checkout), and who waits for it. */
    private record Write(Order order, Outbox.@Nullable Entry event, CompletableFuture<Void> committed) {
    }

    /**
     * Writes the order (and its event, if any) and returns once it is committed.
     *
     * @throws DataAccessException if it could not be written, e.g. a duplicate Idempotency-Key
     * @throws ErrorResponseException 503 when the writer is overloaded or stopped
     */
    void write(Order order, Outbox.@Nullable Entry event) {
        Write write = new Write(order, event, new CompletableFuture<>());
        if (!running) {
            throw unavailable("The checkout is shutting down; try again in a moment.");
        }
        if (!queue.offer(write)) {
            throw unavailable("The checkout has " + MAX_WAITING + " orders waiting to be written; try again in a moment.");
        }
        try {
            write.committed().get(COMMIT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(ex.getCause());
        }
        catch (TimeoutException ex) {
            throw new IllegalStateException("Order " + order.id() + " was not committed within " + COMMIT_TIMEOUT, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for order " + order.id() + " to be committed", ex);
        }
    }

    private void run() {
        List<Write> group = new ArrayList<>(MAX_GROUP);
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                commit(group);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            finally {
                group.clear();
            }
        }
    }

    private void commit(List<Write> group) {
        try {
            insert(group);
            groupSize.record(group.size());
            group.forEach(write -> write.committed().complete(null));
        }
        catch (RuntimeException failure) {
            if (group.size() == 1) {
                group.get(0).committed().completeExceptionally(failure);
                return;
            }
            log.debug("A group of {} orders failed ({}); writing them one by one", group.size(), failure.toString());
            for (Write write : group) {
                try {
                    insert(List.of(write));
                    write.committed().complete(null);
                }
                catch (RuntimeException alone) {
                    write.committed().completeExceptionally(alone);
                }
            }
        }
    }

    private void insert(List<Write> group) {
        transaction.executeWithoutResult(status -> {
            orders.insertAll(group.stream().map(Write::order).toList());
            List<Outbox.Entry> events = group.stream().map(Write::event).filter(event -> event != null).toList();
            if (!events.isEmpty()) {
                outbox.append(events);
            }
        });
    }

    private static ErrorResponseException unavailable(String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        problem.setTitle("Checkout unavailable");
        return new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, null);
    }

    /** Starts before the web server takes requests, and stops after it has answered the last one. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public void start() {
        running = true;
        writer.setDaemon(true);
        writer.start();
    }

    /** Stops taking orders, and writes those already waiting before it returns. */
    @Override
    public void stop() {
        running = false;
        try {
            writer.join(COMMIT_TIMEOUT.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
