package dev.flashsale.analytics.history;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import dev.flashsale.analytics.sales.RebuildInProgressException;
import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.worker.OrderPlacedMessageConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BatchMessageListener;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.support.converter.MessageConversionException;

/**
 * Rebuilds the analytics figures from the history stream, while the live queue keeps being consumed.
 *
 * <ol>
 * <li>A new generation of the figures is opened: from then on the live consumer writes every order to it as well as to
 * the live one.</li>
 * <li>A consumer reads the stream from its first offset (or from a time) and writes each order into the new
 * generation, a batch per transaction.</li>
 * <li>Right after it starts, the rebuild appends a marker of its own to the stream. Every order the stream holds
 * before the marker is replayed; every order routed after it reaches the live consumer after the new generation was
 * opened, so the live consumer writes it there. When the replay reaches the marker, the new generation lacks
 * nothing, and it is swapped in in one transaction.</li>
 * </ol>
 *
 * An order that comes both ways is written once (the generation's primary key). If anything fails (the broker, the
 * database, no message for {@link HistoryProperties#idleTimeout()}), the new generation is dropped and the live
 * figures stay as they were. Why a marker and generations: docs/decisions.md, "The order history stream".
 */
class HistoryRebuild {

    /**
     * How much earlier than the asked time the stream is read from. The stream finds a time by the broker's clock and
     * by chunk, the orders are kept by the time they were placed (the order-service's clock): reading from a little
     * earlier and keeping the orders placed since the asked time is exact whenever the clocks are within this margin.
     */
    static final Duration CLOCK_MARGIN = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(HistoryRebuild.class);

    private final SalesService sales;
    private final ConnectionFactory connectionFactory;
    private final RabbitTemplate template;
    private final AmqpAdmin admin;
    private final OrderPlacedMessageConverter converter;
    private final HistoryProperties properties;
    private final Clock clock;
    private final ExecutorService runner = Executors.newSingleThreadExecutor(task -> new Thread(task, "history-rebuild"));

    private volatile Run last;

    HistoryRebuild(SalesService sales, ConnectionFactory connectionFactory, RabbitTemplate template, AmqpAdmin admin,
            OrderPlacedMessageConverter converter, HistoryProperties properties, Clock clock) {
        this.sales = sales;
        this.connectionFactory = connectionFactory;
        this.template = template;
        this.admin = admin;
        this.converter = converter;
        this.properties = properties;
        this.clock = clock;
    }

    RebuildStatus status() {
        Run run = last;
        return run == null ? RebuildStatus.idle() : run.status();
    }

    /**
     * Starts a rebuild and returns at once; {@link #status()} follows it.
     *
     * @param from replay the orders placed from this time on; null for everything the stream holds
     * @throws IllegalArgumentException if {@code from} is in the future
     * @throws RebuildInProgressException if a rebuild runs already
     */
    synchronized RebuildStatus start(Instant from) {
        if (from != null && from.isAfter(clock.instant())) {
            throw new IllegalArgumentException("from must not be in the future: " + from);
        }
        // The database decides whether one runs already (sales.open()), for this process and any other.
        Run run = new Run(UUID.randomUUID().toString(), sales.open(), from, clock.instant());
        last = run;
        runner.execute(() -> rebuild(run));
        return run.status();
    }

    void stop() {
        runner.shutdownNow();
    }

    private void rebuild(Run run) {
        SimpleMessageListenerContainer replay = null;
        try {
            if (admin.getQueueInfo(Topology.HISTORY_STREAM) == null) {
                throw new IllegalStateException("The stream " + Topology.HISTORY_STREAM + " does not exist");
            }
            replay = replay(run);
            replay.start();
            appendMarker(run.id);
            run.awaitMarker(properties.idleTimeout(), clock);
            // Stopped before the swap: no replayed batch is written after the new generation is live (it would be
            // harmless, the orders are there already, but the rebuild is over).
            replay.stop();
            SalesService.Swap swap = sales.swap(run.generation);
            run.done(swap, clock.instant());
            log.info("Rebuilt the figures from {}: generation {} is live ({} orders; the one it replaced had {})",
                    Topology.HISTORY_STREAM, swap.live(), swap.ordersAfter(), swap.ordersBefore());
        }
        catch (Exception ex) {
            if (ex instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            run.failed(ex, clock.instant());
            log.warn("The rebuild of generation {} failed; the live figures are unchanged: {}", run.generation, ex.toString());
            try {
                sales.close(run.generation);
            }
            catch (RuntimeException closeFailed) {
                // The database is away: the next start-up closes it (HistoryConfiguration).
                log.warn("Could not close generation {}: {}", run.generation, closeFailed.toString());
            }
        }
        finally {
            if (replay != null) {
                replay.destroy();
            }
        }
    }

    /** A consumer of the stream from the rebuild's start, one transaction per batch, acknowledged after it. */
    private SimpleMessageListenerContainer replay(Run run) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.HISTORY_STREAM);
        // A stream is read from an offset the consumer names; a time is sent as an AMQP timestamp (a java.util.Date).
        Object offset = run.from == null ? "first" : Date.from(run.from.minus(CLOCK_MARGIN));
        container.setConsumerArguments(Map.of("x-stream-offset", offset));
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        // A stream consumer needs a prefetch: it is the credit the broker sends against.
        container.setPrefetchCount(properties.batchSize() * 2);
        container.setConsumerBatchEnabled(true);
        container.setBatchSize(properties.batchSize());
        container.setBatchReceiveTimeout(100);
        // How long the consumer waits before it looks again whether it is stopped: the swap waits for that.
        container.setReceiveTimeout(100);
        container.setMessageListener((BatchMessageListener) messages -> replayBatch(run, messages));
        container.afterPropertiesSet();
        return container;
    }

    private void replayBatch(Run run, List<Message> messages) {
        if (run.outcome.isDone()) {
            return;
        }
        List<OrderPlaced> orders = new ArrayList<>(messages.size());
        boolean markerSeen = false;
        for (Message message : messages) {
            run.read(message.getMessageProperties().getHeader("x-stream-offset"), clock.instant());
            Object marker = message.getMessageProperties().getHeader(Topology.REBUILD_MARKER_HEADER);
            if (marker != null) {
                // Another rebuild's marker is not an order either: skipped.
                markerSeen |= run.id.equals(marker.toString());
                continue;
            }
            try {
                orders.add(converter.fromMessage(message));
            }
            catch (MessageConversionException unreadable) {
                // The live consumer dead-lettered it when it came; in a replay there is no one to fix it for.
                run.unreadable.incrementAndGet();
            }
        }
        try {
            run.replayed.addAndGet(sales.replay(run.generation, orders, run::wanted));
        }
        catch (RuntimeException failed) {
            run.outcome.completeExceptionally(failed);
            return;
        }
        if (markerSeen) {
            run.outcome.complete(null);
        }
    }

    private void appendMarker(String id) throws Exception {
        Message marker = MessageBuilder.withBody(new byte[0]).setHeader(Topology.REBUILD_MARKER_HEADER, id).build();
        CorrelationData confirm = new CorrelationData(id);
        template.send("", Topology.HISTORY_STREAM, marker, confirm);
        CorrelationData.Confirm answer = confirm.getFuture().get(properties.markerConfirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        if (!answer.ack() || confirm.getReturned() != null) {
            throw new IllegalStateException("The broker did not take the rebuild's marker: " + answer.reason());
        }
    }

    /** One rebuild: what it has done so far. Written by the replay's thread, read by anyone. */
    private static final class Run {

        final String id;
        final int generation;
        final Instant from;
        final Instant startedAt;
        /** Completed when the replay reaches the marker; completed exceptionally when it fails. */
        final CompletableFuture<Void> outcome = new CompletableFuture<>();
        final AtomicLong read = new AtomicLong();
        final AtomicLong replayed = new AtomicLong();
        final AtomicLong unreadable = new AtomicLong();
        volatile long offset = -1;
        volatile Instant lastReadAt;
        volatile RebuildStatus ended;

        Run(String id, int generation, Instant from, Instant startedAt) {
            this.id = id;
            this.generation = generation;
            this.from = from;
            this.startedAt = startedAt;
            this.lastReadAt = startedAt;
        }

        boolean wanted(OrderPlaced order) {
            return from == null || !order.occurredAt().isBefore(from);
        }

        void read(Object streamOffset, Instant now) {
            read.incrementAndGet();
            if (streamOffset instanceof Number number) {
                offset = number.longValue();
            }
            lastReadAt = now;
        }

        /** Waits for the marker, as long as messages keep coming. */
        void awaitMarker(Duration idleTimeout, Clock clock) throws InterruptedException, ExecutionException, TimeoutException {
            while (true) {
                try {
                    outcome.get(1, TimeUnit.SECONDS);
                    return;
                }
                catch (TimeoutException tick) {
                    if (Duration.between(lastReadAt, clock.instant()).compareTo(idleTimeout) > 0) {
                        throw new TimeoutException("No message from " + Topology.HISTORY_STREAM + " for " + idleTimeout
                                + ", and the rebuild's marker has not come");
                    }
                }
            }
        }

        void done(SalesService.Swap swap, Instant now) {
            ended = snapshot("done", now, swap.ordersBefore(), swap.ordersAfter(), null);
        }

        void failed(Throwable cause, Instant now) {
            outcome.completeExceptionally(cause);
            Throwable reason = cause instanceof ExecutionException && cause.getCause() != null ? cause.getCause() : cause;
            ended = snapshot("failed", now, null, null, reason.toString());
        }

        RebuildStatus status() {
            RebuildStatus end = ended;
            return end != null ? end : snapshot("replaying", null, null, null, null);
        }

        private RebuildStatus snapshot(String state, Instant finishedAt, Long before, Long after, String error) {
            return new RebuildStatus(state, generation, from, startedAt, finishedAt, read.get(), replayed.get(),
                    unreadable.get(), offset, before, after, error);
        }
    }
}
