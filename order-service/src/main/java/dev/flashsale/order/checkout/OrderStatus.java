package dev.flashsale.order.checkout;

/** Where an order is: on its way to the broker (asynchronous checkout), or through the workers (synchronous). */
public enum OrderStatus {

    /** Asynchronous: committed in the database with its outbox row; not yet confirmed by the broker. */
    ACCEPTED,

    /** Asynchronous: the broker confirmed the order's event; it is in every worker's queue. */
    PUBLISHED,

    /** Synchronous: committed, and the checkout is calling the workers one after the other. */
    PROCESSING,

    /** Synchronous: every worker applied the order before the checkout answered. */
    COMPLETED,

    /**
     * Synchronous: a worker could not be reached or failed, so the checkout answered 503. The workers called
     * before it have applied the order: it is partly done until a retry with the same Idempotency-Key finishes it.
     */
    FAILED
}
