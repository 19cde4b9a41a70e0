package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.UUID;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.SequenceGenerator;
import jakarta.persistence.Table;

/** An event waiting in the outbox table to be published, or kept there for a while after it was. */
@Entity
@Table(name = "outbox")
class OutboxMessage {

    // A sequence, not UUIDs: the relay publishes left-behind rows in order of creation, and a
    // sequence with an allocation size lets Hibernate assign ids without a round trip per row.
    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE, generator = "outbox_seq")
    @SequenceGenerator(name = "outbox_seq", sequenceName = "outbox_seq", allocationSize = 50)
    private Long id;

    private UUID eventId;

    private UUID aggregateId;

    private String eventType;

    private int eventVersion;

    private String payload;

    private Instant createdAt;

    private Instant publishedAt;

    protected OutboxMessage() {
    }

    OutboxMessage(UUID eventId, UUID aggregateId, String eventType, int eventVersion, String payload, Instant createdAt) {
        this.eventId = eventId;
        this.aggregateId = aggregateId;
        this.eventType = eventType;
        this.eventVersion = eventVersion;
        this.payload = payload;
        this.createdAt = createdAt;
    }

    Long id() {
        return id;
    }

    Instant publishedAt() {
        return publishedAt;
    }

    /** What the publisher needs, detached from the persistence context. */
    PendingMessage pending() {
        return new PendingMessage(id, eventId, aggregateId, eventType, eventVersion, payload, createdAt);
    }
}
