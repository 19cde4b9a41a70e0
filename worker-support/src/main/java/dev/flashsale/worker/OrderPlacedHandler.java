package dev.flashsale.worker;

import java.util.List;

import dev.flashsale.events.OrderPlaced;

/**
 * What a worker does with an {@link OrderPlaced}, whichever way it arrives: its queue listener implements this,
 * and {@link OrderPlacedController} calls the very same method for the synchronous checkout's HTTP call.
 */
public interface OrderPlacedHandler {

    /** Applies the order once (through {@link IdempotentProcessor}), however often it is handed over. */
    void on(OrderPlaced event);

    /**
     * Called in a batch's transaction before {@link #on} is called for each of its orders: the place to take, in a
     * fixed order, the locks the whole batch will need. A batch holds every row lock it takes until it commits, so
     * two batches that lock the same rows in different orders deadlock (the database then rolls one back, and its
     * orders go one at a time). Nothing to do by default.
     */
    default void beforeBatch(List<OrderPlaced> orders) {
    }
}
