package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transactional outbox: events are written to the {@code outbox} table in the caller's database transaction,
 * and handed to the {@link OutboxPublisher} only after that transaction committed.
 *
 * <p>This solves the dual-write problem: writing the order to the database and publishing to the broker cannot be
 * one atomic step, so the event is first written where the order is (atomic with it), and the publisher carries it
 * to the broker, at least once.
 */
@Component
public class Outbox {

    private static final Logger log = LoggerFactory.getLogger(Outbox.class);

    /** The sequence's increment in V1: each value reserves this many ids. */
    private static final int ID_BLOCK = 50;

    private final OutboxRepository repository;
    private final AfterCommitPublishing publisher;
    private final JsonMapper json;
    private final OutboxTraces traces;
    private final OutboxLease lease;
    private long nextId;
    private long blockEnd;

    Outbox(OutboxRepository repository, AfterCommitPublishing publisher, JsonMapper json, OutboxTraces traces, OutboxLease lease) {
        this.repository = repository;
        this.publisher = publisher;
        this.json = json;
        this.traces = traces;
        this.lease = lease;
    }

    /**
     * An event ready to be appended, already serialized (on the caller's thread, not in the transaction).
     *
     * @param eventId the event's id
     * @param aggregateId the order it is about
     * @param type the logical event type
     * @param version the schema version
     * @param routingKey the routing key it is published with
     * @param payload the event as JSON
     * @param createdAt when it was made
     * @param traceparent the trace of the request that made it, null outside a trace
     */
    public record Entry(UUID eventId, UUID aggregateId, String type, int version, String routingKey, String payload,
            Instant createdAt, @Nullable String traceparent) {
    }

    /** Serializes an event for {@link #append}, with the caller's trace (the checkout request's). */
    public Entry entry(UUID eventId, UUID aggregateId, String type, int version, String routingKey, Object event) {
        return new Entry(eventId, aggregateId, type, version, routingKey, json.writeValueAsString(event), Instant.now(),
                traces.current());
    }

    /**
     * Adds events to the outbox. Must run inside the transaction that makes the change they report; they go to
     * the publisher once it has committed, and never if it rolls back.
     */
    public void append(List<Entry> entries) {
        if (!TransactionSynchronizationManager.isActualTransactionActive()) {
            throw new IllegalStateException("Outbox.append must run inside the transaction that makes the change it reports");
        }
        List<OutboxMessage> messages = new ArrayList<>(entries.size());
        for (Entry entry : entries) {
            messages.add(new OutboxMessage(nextId(), entry.eventId(), entry.aggregateId(), entry.type(), entry.version(),
                    entry.routingKey(), entry.payload(), entry.createdAt(), entry.traceparent()));
        }
        repository.insertAll(messages, lease.id());
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                try {
                    publisher.publishCommitted(messages);
                }
                catch (RuntimeException ex) {
                    // The rows are committed, and the relay sends them. Thrown from here, the exception would reach
                    // whoever committed as if the commit had failed: the order writer would write the group's
                    // orders again, one by one, and answer 500 for orders that were placed.
                    log.warn("Could not hand {} committed outbox rows to the publisher; the relay sends them: {}", messages.size(),
                            ex.toString());
                }
            }
        });
    }

    /** Ids from the sequence, a block at a time: one round trip per 50 rows instead of one per row. */
    private synchronized long nextId() {
        if (nextId == blockEnd) {
            nextId = repository.nextIdBlock();
            blockEnd = nextId + ID_BLOCK;
        }
        return nextId++;
    }
}
