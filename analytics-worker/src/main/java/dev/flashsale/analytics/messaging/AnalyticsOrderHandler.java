package dev.flashsale.analytics.messaging;

import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Component;

/**
 * The analytics worker's handler of each {@link OrderPlaced}: it records the order's sales. worker-support's pipeline
 * calls it whichever way the order arrives (a batch from the queue, one delivery on its own, the synchronous
 * checkout's HTTP call), inside the transaction of the order's dedup row, and only for an order this worker has not
 * applied yet.
 */
@Component
class AnalyticsOrderHandler implements OrderPlacedHandler {

    private final SalesService sales;

    AnalyticsOrderHandler(SalesService sales) {
        this.sales = sales;
    }

    @Override
    public Outcome apply(OrderPlaced order) {
        return sales.record(order);
    }
}
