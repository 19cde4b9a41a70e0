package dev.flashsale.analytics.messaging;

import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.OrderPlaced;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Takes each {@link OrderPlaced} from the analytics queue and hands it to the sales figures. */
@Component
class OrderPlacedListener {

    private final SalesService sales;

    OrderPlacedListener(SalesService sales) {
        this.sales = sales;
    }

    @RabbitListener(id = "analytics", queues = "${flashsale.worker.queue}")
    void on(OrderPlaced event) {
        sales.record(event);
    }
}
