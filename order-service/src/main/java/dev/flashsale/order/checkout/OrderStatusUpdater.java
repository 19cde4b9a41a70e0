package dev.flashsale.order.checkout;

import dev.flashsale.order.outbox.OutboxMessagesPublished;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/** Marks orders {@link OrderStatus#PUBLISHED} in the same transaction that marks their outbox rows. */
@Component
class OrderStatusUpdater {

    private final OrderRepository orders;

    OrderStatusUpdater(OrderRepository orders) {
        this.orders = orders;
    }

    @EventListener
    void on(OutboxMessagesPublished event) {
        orders.updateStatus(event.aggregateIds(), OrderStatus.PUBLISHED);
    }
}
