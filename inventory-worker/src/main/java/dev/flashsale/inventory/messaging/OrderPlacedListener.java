package dev.flashsale.inventory.messaging;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.inventory.stock.StockService;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Takes each {@link OrderPlaced} from the inventory queue and hands it to the stock. */
@Component
class OrderPlacedListener {

    private final StockService stock;

    OrderPlacedListener(StockService stock) {
        this.stock = stock;
    }

    @RabbitListener(id = "inventory", queues = "${flashsale.worker.queue}")
    void on(OrderPlaced event) {
        stock.reserve(event);
    }
}
