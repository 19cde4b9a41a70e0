package dev.flashsale.worker;

import dev.flashsale.events.OrderPlaced;

/**
 * What a worker does with an {@link OrderPlaced}, whichever way it arrives: its queue listener implements this,
 * and {@link OrderPlacedController} calls the very same method for the synchronous checkout's HTTP call.
 */
public interface OrderPlacedHandler {

    /** Applies the order once (through {@link IdempotentProcessor}), however often it is handed over. */
    void on(OrderPlaced event);
}
