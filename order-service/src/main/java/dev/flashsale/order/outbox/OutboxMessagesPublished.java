package dev.flashsale.order.outbox;

import java.util.List;
import java.util.UUID;

/**
 * The broker confirmed these aggregates' events. Published inside the transaction that marks
 * the outbox rows, so a listener's own update commits (or rolls back) together with that mark.
 */
public record OutboxMessagesPublished(List<UUID> aggregateIds) {
}
