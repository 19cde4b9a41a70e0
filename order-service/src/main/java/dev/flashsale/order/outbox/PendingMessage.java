package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.UUID;

/** A committed outbox row on its way to the broker. */
record PendingMessage(
        long id,
        UUID eventId,
        UUID aggregateId,
        String eventType,
        int eventVersion,
        String payload,
        Instant createdAt) {
}
