package dev.flashsale.order.checkout;

/** Where an order is on its way from the checkout to the broker. */
public enum OrderStatus {

    /** Committed in the database with its outbox row; not yet confirmed by the broker. */
    ACCEPTED,

    /** The broker confirmed the order's event: it is in every worker's queue. */
    PUBLISHED
}
