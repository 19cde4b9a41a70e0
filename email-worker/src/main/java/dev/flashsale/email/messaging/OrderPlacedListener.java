package dev.flashsale.email.messaging;

import dev.flashsale.email.confirmation.ConfirmationService;
import dev.flashsale.events.OrderPlaced;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.stereotype.Component;

/** Takes each {@link OrderPlaced} from the email queue and hands it to the confirmations. */
@Component
class OrderPlacedListener {

    private final ConfirmationService confirmations;

    OrderPlacedListener(ConfirmationService confirmations) {
        this.confirmations = confirmations;
    }

    @RabbitListener(id = "email", queues = "${flashsale.worker.queue}")
    void on(OrderPlaced event) {
        confirmations.confirm(event);
    }
}
