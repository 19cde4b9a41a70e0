package dev.flashsale.inventory.messaging;

import java.util.List;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.inventory.stock.StockService;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Component;

/**
 * What the inventory worker does with each {@link OrderPlaced}, whether it comes from its queue (worker-support's
 * consumer calls this for every delivery) or from the synchronous checkout's HTTP call: hands it to the stock.
 */
@Component
class OrderPlacedListener implements OrderPlacedHandler {

    private final StockService stock;

    OrderPlacedListener(StockService stock) {
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
