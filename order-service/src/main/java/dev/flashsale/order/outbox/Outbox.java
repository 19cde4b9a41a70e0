package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.UUID;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transactional outbox: an event is written to the {@code outbox} table in the caller's
 * database transaction, and published to the broker only after that transaction committed.
 *
 * <p>This solves the dual-write problem: writing the order to the database and publishing to
 * the broker cannot be one atomic step, so the event is first written where the order is
 * (atomic with it), and the {@link OutboxPublisher} carries it to the broker, at least once.
 */
@Component
public class Outbox {

    private final OutboxRepository repository;
    private final ApplicationEventPublisher events;
    private final JsonMapper json;

    Outbox(OutboxRepository repository, ApplicationEventPublisher events, JsonMapper json) {
        this.repository = repository;
        this.events = events;
        this.json = json;
    }

    /** Adds an event to the outbox; must run inside the transaction that makes the change it reports. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void append(String eventType, int eventVersion, UUID eventId, UUID aggregateId, Object event) {
        OutboxMessage message = repository.save(new OutboxMessage(
                eventId, aggregateId, eventType, eventVersion, json.writeValueAsString(event), Instant.now()));
        events.publishEvent(new OutboxMessageAppended(message.pending()));
    }
}
