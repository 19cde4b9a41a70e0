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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
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
 * the checkout answers 503 at once, instead of piling up requests that would time out anyway (backpressure). A
 * request whose commit takes longer than its wait answers 503 too: its order may still be committed, and the answer
 * says so, so that the client repeats it with the same {@code Idempotency-Key} instead of placing it again. Both
 * carry {@code Retry-After}.
 */
@Component
class OrderWriter implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(OrderWriter.class);

    /** What a 503 tells the client to wait before it tries again, in seconds: a commit normally takes milliseconds. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final OrderRepository orders;
    private final Outbox outbox;
    private final TransactionTemplate transaction;
    private final DistributionSummary groupSize;
    private final OrderWriterProperties properties;
    private final BlockingQueue<Write> queue;
    private volatile Thread writer;
    /**
     * When the writer last took a group ({@link System#nanoTime()}; a day before the start, so that the first order does
     * not linger); read and written by the writer thread alone.
     */
    private long lastTakenAt = System.nanoTime() - Duration.ofDays(1).toNanos();
    private volatile boolean running;

    OrderWriter(OrderRepository orders, Outbox outbox, TransactionTemplate transaction, MeterRegistry meters,
            OrderWriterProperties properties) {
        this.orders = orders;
        this.outbox = outbox;
        this.transaction = transaction;
        this.properties = properties;
        this.queue = new ArrayBlockingQueue<>(properties.maxWaiting());
        Gauge.builder("flashsale.checkout.writer.waiting", queue, BlockingQueue::size)
                .description("Orders waiting for the writer to take them into a commit; at flashsale.checkout.writer.max-waiting "
                        + "the checkout answers 503")
                .register(meters);
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
     * @throws ErrorResponseException 503 when the writer is overloaded or stopped, or the commit took longer than the wait
     */
    void write(Order order, Outbox.@Nullable Entry event) {
        Write write = new Write(order, event, new CompletableFuture<>());
        if (!running) {
            throw unavailable("The checkout is shutting down; the order was not placed. Try again in a moment.");
        }
        if (!queue.offer(write)) {
            throw unavailable("The checkout has " + properties.maxWaiting() + " orders waiting to be written; the order was not "
                    + "placed. Try again in a moment.");
        }
        try {
            write.committed().get(properties.commitWait().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException ex) {
            if (ex.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            throw new IllegalStateException(ex.getCause());
        }
        catch (TimeoutException ex) {
            log.warn("Order {} was not committed within {}; answering 503, the commit may still come", order.id(), properties.commitWait());
            throw unavailable("The order was not confirmed within " + properties.commitWait().toSeconds() + " s, and may still be placed. "
                    + (order.idempotencyKey() != null
                            ? "Repeat the request with the same Idempotency-Key: that is safe, and answers with the order if it was placed."
                            : "Without an Idempotency-Key a repeat may place it twice: send one, so that repeating is safe."));
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for order " + order.id() + " to be committed", ex);
        }
    }

    private void run() {
        List<Write> group = new ArrayList<>(properties.maxGroup());
        while (running || !queue.isEmpty()) {
            try {
                Write first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                group.add(first);
                queue.drainTo(group, properties.maxGroup() - 1);
                long takenAt = System.nanoTime();
                if (takenAt - lastTakenAt < properties.linger().toNanos()) {
                    linger(group);
                }
                lastTakenAt = System.nanoTime();
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

    /**
     * Waits up to the linger for more orders to share the commit, as Kafka's producer waits {@code linger.ms} to fill a
     * batch. Under load a commit is shared anyway (orders pile up while the previous one runs); at moderate rates each
     * order would get a commit of its own, and a commit costs about the same for one order as for ten (H2 writes its
     * changed pages, PostgreSQL flushes its log). The first order of a group pays the linger in latency, at most; so the
     * writer lingers only when the previous group was taken less than a linger ago, that is when orders come closer
     * together than the linger: an order that comes alone (20 a second, 50 ms apart) is committed at once.
     */
    private void linger(List<Write> group) throws InterruptedException {
        long deadline = System.nanoTime() + properties.linger().toNanos();
        while (group.size() < properties.maxGroup()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            Write next = queue.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            group.add(next);
            queue.drainTo(group, properties.maxGroup() - group.size());
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
            // Rare (two orders with one Idempotency-Key in a group, a database failure), and the place to look when a
            // one-by-one insert then meets a row the group left behind: said at WARN, with its cause.
            log.warn("A group of {} orders failed ({}); writing them one by one", group.size(), failure.toString());
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
        ErrorResponseException unavailable = new ErrorResponseException(HttpStatus.SERVICE_UNAVAILABLE, problem, null);
        unavailable.getHeaders().set(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS);
        return unavailable;
    }

    /** Starts before the web server takes requests, and stops after it has answered the last one. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    /** A thread per start: a stopped context (a paused test context, for one) can be started again. */
    @Override
    public void start() {
        running = true;
        writer = new Thread(this::run, "order-writer");
        writer.setDaemon(true);
        writer.start();
    }

    /** Stops taking orders, and writes those already waiting before it returns. */
    @Override
    public void stop() {
        running = false;
        try {
            writer.join(properties.commitWait().toMillis());
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
