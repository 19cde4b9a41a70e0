package dev.flashsale.order.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Topology;
import io.micrometer.tracing.CurrentTraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries outbox rows to the broker, at least once.
 *
 * <p>The rows of each commit are sent right after it, as one batch on one channel, by a single sender thread,
 * so that the checkout's answer never waits for the broker (nor for a broker that is down). A row counts as
 * published only when the broker has confirmed it (a publisher confirm, {@code ack}) and has not returned it as
 * unroutable (a mandatory publish that reached no queue). Confirmed rows are marked published in batches; a row
 * that is nacked, returned, never confirmed, or never sent (broker down, process killed) stays unpublished and
 * the {@link OutboxRelay} sends it again.
 *
 * <p>So a row can be sent twice (confirmed, then the process dies before the mark): consumers are idempotent by
 * order id, which turns at-least-once into effectively-once.
 */
@Component
class OutboxPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

    private final RabbitTemplate rabbit;
    private final OutboxRepository repository;
    private final TransactionTemplate transaction;
    private final OutboxProperties properties;
    private final AfterCommitFault fault;
    private final OutboxTraces traces;
    private final OutboxLease lease;

    /** In {@link #inFlight}: a row handed to the sender thread, whose send is still to come. */
    private static final long NOT_YET_SENT = Long.MIN_VALUE;

    /**
     * Rows on their way and not yet marked published: when each was sent ({@link System#nanoTime()}), or
     * {@link #NOT_YET_SENT} while it waits for the sender thread.
     */
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();

    /** Rows the broker confirmed, waiting for the next batch mark. */
    private final Queue<Long> confirmed = new ConcurrentLinkedQueue<>();

    /** Rows handed to the sender thread and not yet sent. */
    private final AtomicInteger waiting = new AtomicInteger();

    private final ThreadPoolExecutor sender;

    private volatile boolean brokerReachable = true;

    OutboxPublisher(RabbitTemplate rabbit, OutboxRepository repository, TransactionTemplate transaction,
            OutboxProperties properties, AfterCommitFault fault, OutboxTraces traces, OutboxLease lease) {
        this.rabbit = rabbit;
        this.repository = repository;
        this.transaction = transaction;
        this.properties = properties;
        this.fault = fault;
        this.traces = traces;
        this.lease = lease;
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new CustomizableThreadFactory("outbox-sender-"));
    }

    /**
     * Hands the rows of a commit to the sender thread. Beyond {@code maxPending} rows waiting, the hand-off is
     * skipped, not the rows: they are in the database, and the relay publishes them. Memory stays bounded however
     * long the broker is away.
     */
    void publishCommitted(List<OutboxMessage> committed) {
        if (!properties.publishAfterCommit()) {
            return;
        }
        List<OutboxMessage> batch = new ArrayList<>(committed.size());
        for (OutboxMessage message : committed) {
            if (!fault.strikes(message) && inFlight.putIfAbsent(message.id(), NOT_YET_SENT) == null) {
                batch.add(message);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        if (waiting.addAndGet(batch.size()) > properties.maxPending()) {
            waiting.addAndGet(-batch.size());
            batch.forEach(message -> inFlight.remove(message.id()));
            return;
        }
        sender.execute(() -> {
            waiting.addAndGet(-batch.size());
            send(batch);
        });
    }

    /**
     * Claims a row for the relay, unless it is already on its way. A row that waits for the sender thread is never
     * taken: its send is still to come, however late (a sender held up at a cold start, a broker slow to take a batch).
     * A row sent longer ago than the confirm timeout is taken over: its confirm is not coming.
     */
    boolean claim(long id) {
        long now = System.nanoTime();
        Long sentAt = inFlight.putIfAbsent(id, now);
        return sentAt == null
                || (sentAt != NOT_YET_SENT && now - sentAt > properties.confirmTimeout().toNanos() && inFlight.replace(id, sentAt, now));
    }

    /** Gives up a claim the relay made on a row that it found published after all. */
    void letGo(long id) {
        inFlight.remove(id);
    }

    /** Runs a task on the sender thread, after what it has to send already: for tests that need the sender busy. */
    void onSenderThread(Runnable task) {
        sender.execute(task);
    }

    /**
     * Sends claimed rows on one channel, in order; each future completes with whether the broker took that row.
     * When the broker cannot be reached at all, the futures of the rows not sent are already complete, with
     * {@code false}.
     */
    List<CompletableFuture<Boolean>> send(List<OutboxMessage> batch) {
        List<CorrelationData> correlations = new ArrayList<>(batch.size());
        try {
            // invoke: the whole batch goes out on one channel, instead of a channel taken from the cache per message.
            rabbit.invoke(operations -> {
                for (OutboxMessage message : batch) {
                    // From now on the confirm timeout runs, after which the relay may send the row again.
                    inFlight.put(message.id(), System.nanoTime());
                    CorrelationData correlation = new CorrelationData(message.eventId().toString());
                    // In the row's trace: the template's publish span is a child of the checkout's, whoever sends the row.
                    try (CurrentTraceContext.Scope trace = traces.resume(message.traceparent())) {
                        operations.send(Topology.ORDERS_EXCHANGE, message.routingKey(), toAmqp(message), correlation);
                    }
                    correlations.add(correlation);
                }
                return null;
            });
            if (!brokerReachable) {
                brokerReachable = true;
                log.info("Broker reachable again, publishing the outbox");
            }
        }
        catch (AmqpException ex) {
            if (brokerReachable) {
                brokerReachable = false;
                log.warn("Broker unreachable, orders stay in the outbox until it is back: {}", ex.getMessage());
            }
        }
        List<CompletableFuture<Boolean>> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            OutboxMessage message = batch.get(i);
            if (i >= correlations.size()) {
                // Never sent: the broker could not be reached.
                inFlight.remove(message.id());
                results.add(CompletableFuture.completedFuture(false));
                continue;
            }
            CorrelationData correlation = correlations.get(i);
            results.add(correlation.getFuture().handle((confirm, error) -> {
                if (error == null && confirm.ack() && correlation.getReturned() == null) {
                    confirmed.add(message.id());
                    return true;
                }
                inFlight.remove(message.id());
                log.warn("Event {} of order {} not taken by the broker ({}); the relay will send it again",
                        message.eventId(), message.aggregateId(),
                        error != null ? error.getMessage()
                                : correlation.getReturned() != null ? "returned: " + correlation.getReturned().getReplyText()
                                : "nack: " + confirm.reason());
                return false;
            }));
        }
        return results;
    }

    /** Marks every confirmed row published, in one transaction. */
    void markConfirmed() {
        List<Long> ids = new ArrayList<>();
        for (Long id; ids.size() < 5000 && (id = confirmed.poll()) != null; ) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return;
        }
        try {
            transaction.executeWithoutResult(status -> repository.markPublished(ids, Instant.now()));
            ids.forEach(inFlight::remove);
        }
        catch (RuntimeException ex) {
            confirmed.addAll(ids);
            log.warn("Could not mark {} confirmed outbox rows as published, trying again: {}", ids.size(), ex.getMessage());
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        markConfirmed();
        // Last: what is still unpublished goes to the other instances now, not after the lease.
        try {
            lease.release();
        }
        catch (RuntimeException ex) {
            log.warn("Could not release this instance's outbox rows; the others take them after the lease: {}", ex.toString());
        }
    }

    private static Message toAmqp(OutboxMessage message) {
        return MessageBuilder.withBody(message.payload().getBytes(StandardCharsets.UTF_8))
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setContentEncoding(StandardCharsets.UTF_8.name())
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setMessageId(message.eventId().toString())
                .setTimestamp(Date.from(message.createdAt()))
                .setAppId("order-service")
                .setHeader(EventHeaders.EVENT_TYPE, message.eventType())
                .setHeader(EventHeaders.EVENT_VERSION, message.eventVersion())
                .setHeader(EventHeaders.ORDER_ID, message.aggregateId().toString())
                .build();
    }
}
