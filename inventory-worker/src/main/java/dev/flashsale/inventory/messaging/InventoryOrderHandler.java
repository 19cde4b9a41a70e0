package dev.flashsale.inventory.messaging;

import java.util.List;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.inventory.stock.StockService;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Component;

/**
 * The inventory worker's handler of each {@link OrderPlaced}: it reserves the order's stock, after locking a whole
 * batch's SKUs in SKU order ({@link #beforeBatch}). worker-support's pipeline calls it whichever way the order
 * arrives (a batch from the queue, one delivery on its own, the synchronous checkout's HTTP call), inside the
 * transaction of the order's dedup row, and only for an order this worker has not applied yet.
 */
@Component
class InventoryOrderHandler implements OrderPlacedHandler {

    private final StockService stock;

    InventoryOrderHandler(StockService stock) {
        this.stock = stock;
    }

    @Override
    public Outcome apply(OrderPlaced order) {
        return stock.reserve(order);
    }

    @Override
    public void beforeBatch(List<OrderPlaced> orders) {
        stock.lockForBatch(orders);
    }
}
