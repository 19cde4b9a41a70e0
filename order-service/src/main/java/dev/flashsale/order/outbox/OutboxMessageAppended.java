package dev.flashsale.order.outbox;

/** A row was added to the outbox; heard only once its transaction has committed. */
record OutboxMessageAppended(PendingMessage message) {
}
