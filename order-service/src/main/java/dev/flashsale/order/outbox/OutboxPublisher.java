package dev.flashsale.order.outbox;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Topology;
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
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries outbox rows to the broker, at least once.
 *
 * <p>Each row is sent right after its transaction commits, on one sender thread so that the
 * checkout's answer never waits for the broker (nor for a broker that is down). A row counts as
 * published only when the broker has confirmed it (a publisher confirm, {@code ack}) and has not
 * returned it as unroutable (a mandatory publish that reached no queue). Confirmed rows are marked
 * published in batches; a row that is nacked, returned, never confirmed, or never sent (broker
 * down, process killed) stays unpublished and the {@link OutboxRelay} sends it again.
 *
 * <p>So a row can be sent twice (confirmed, then the process dies before the mark): consumers
 * are idempotent by order id, which turns at-least-once into effectively-once.
 */
@Component
class OutboxPublisher implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

    private final RabbitTemplate rabbit;
    private final OutboxRepository repository;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final OutboxProperties properties;
    private final AfterCommitFault fault;

    /** Rows sent and not yet marked published, with the time they were sent ({@link System#nanoTime()}). */
    private final Map<Long, Long> inFlight = new ConcurrentHashMap<>();

    /** Rows the broker confirmed, waiting for the next batch mark. */
    private final Queue<PendingMessage> confirmed = new ConcurrentLinkedQueue<>();

    private final ThreadPoolExecutor sender;

    private volatile boolean brokerReachable = true;

    OutboxPublisher(RabbitTemplate rabbit, OutboxRepository repository, TransactionTemplate transaction,
            ApplicationEventPublisher events, OutboxProperties properties, AfterCommitFault fault) {
        this.rabbit = rabbit;
        this.repository = repository;
        this.transaction = transaction;
        this.events = events;
        this.properties = properties;
        this.fault = fault;
        // A full queue discards the hand-off, not the row: the row is committed and the relay
        // publishes it. Memory stays bounded however long the broker is away.
        this.sender = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(properties.maxPending()), new CustomizableThreadFactory("outbox-sender-"),
                new ThreadPoolExecutor.AbortPolicy());
    }

    @TransactionalEventListener
    void on(OutboxMessageAppended appended) {
        PendingMessage message = appended.message();
        if (!properties.publishAfterCommit() || fault.strikes(message) || !claim(message.id())) {
            return;
        }
        try {
            sender.execute(() -> send(message));
        }
        catch (RejectedExecutionException full) {
            inFlight.remove(message.id());
        }
    }

    /**
     * Claims a row for sending, unless it is already on its way. A claim older than the confirm
     * timeout is taken over: its confirm is not coming.
     */
    boolean claim(long id) {
        long now = System.nanoTime();
        Long sentAt = inFlight.putIfAbsent(id, now);
        return sentAt == null
                || (now - sentAt > properties.confirmTimeout().toNanos() && inFlight.replace(id, sentAt, now));
    }

    /**
     * Sends a claimed row; the future completes with whether the broker took it. It is already
     * complete, with {@code false}, when the broker could not be reached at all.
     */
    CompletableFuture<Boolean> send(PendingMessage message) {
        CorrelationData correlation = new CorrelationData(message.eventId().toString());
        try {
            rabbit.send(Topology.ORDERS_EXCHANGE, "", toAmqp(message), correlation);
        }
        catch (AmqpException ex) {
            inFlight.remove(message.id());
            if (brokerReachable) {
                brokerReachable = false;
                log.warn("Broker unreachable, orders stay in the outbox until it is back: {}", ex.getMessage());
            }
            return CompletableFuture.completedFuture(false);
        }
        if (!brokerReachable) {
            brokerReachable = true;
            log.info("Broker reachable again, publishing the outbox");
        }
        return correlation.getFuture().handle((confirm, error) -> {
            if (error == null && confirm.ack() && correlation.getReturned() == null) {
                confirmed.add(message);
                return true;
            }
            inFlight.remove(message.id());
            log.warn("Event {} of order {} not taken by the broker ({}); the relay will send it again",
                    message.eventId(), message.aggregateId(),
                    error != null ? error.getMessage()
                            : correlation.getReturned() != null ? "returned: " + correlation.getReturned().getReplyText()
                            : "nack: " + confirm.reason());
            return false;
        });
    }

    /** Marks every confirmed row published, in one transaction, and tells the listeners. */
    void markConfirmed() {
        List<PendingMessage> batch = new ArrayList<>();
        for (PendingMessage message; batch.size() < 1000 && (message = confirmed.poll()) != null; ) {
            batch.add(message);
        }
        if (batch.isEmpty()) {
            return;
        }
        List<Long> ids = batch.stream().map(PendingMessage::id).toList();
        try {
            transaction.executeWithoutResult(status -> {
                repository.markPublished(ids, Instant.now());
                events.publishEvent(new OutboxMessagesPublished(batch.stream().map(PendingMessage::aggregateId).toList()));
            });
            ids.forEach(inFlight::remove);
        }
        catch (RuntimeException ex) {
            confirmed.addAll(batch);
            log.warn("Could not mark {} confirmed outbox rows as published, trying again: {}", batch.size(), ex.getMessage());
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        sender.shutdown();
        sender.awaitTermination(5, TimeUnit.SECONDS);
        markConfirmed();
    }

    private static Message toAmqp(PendingMessage message) {
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
