package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A row of the {@code outbox} table: an event committed with the change it reports, waiting to be published
 * (or kept for a while after it was).
 *
 * @param id the row's id, from a sequence: the relay publishes left-behind rows in this order
 * @param eventId the event's id, which becomes the message id
 * @param aggregateId the order the event is about
 * @param eventType the logical event type, e.g. {@code order.placed}
 * @param eventVersion the schema version of the payload
 * @param routingKey the routing key it is published with to the {@code orders} exchange: ignored by the fanout, read by
 *        the express exchange bound to it ({@code order.placed} or {@code order.placed.express})
 * @param payload the event as JSON
 * @param createdAt when it was appended
 * @param traceparent the trace of the checkout that wrote it ({@link OutboxTraces}); null outside a trace
 */
record OutboxMessage(
        long id,
        UUID eventId,
        UUID aggregateId,
        String eventType,
        int eventVersion,
        String routingKey,
        String payload,
        Instant createdAt,
        @Nullable String traceparent) {
}
