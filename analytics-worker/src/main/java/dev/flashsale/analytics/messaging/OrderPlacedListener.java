package dev.flashsale.analytics.messaging;

import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Component;

/**
 * What the analytics worker does with each {@link OrderPlaced}, whether it comes from its queue (worker-support's
 * consumer calls this for every delivery) or from the synchronous checkout's HTTP call: hands it to the sales figures.
 */
@Component
class OrderPlacedListener implements OrderPlacedHandler {

    private final SalesService sales;

    OrderPlacedListener(SalesService sales) {
        this.sales = sales;
    }

    @Override
    public Outcome apply(OrderPlaced order) {
        return sales.record(order);
    }
}
