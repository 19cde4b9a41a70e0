package dev.flashsale.email.messaging;

import dev.flashsale.email.confirmation.ConfirmationService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.OrderPlacedHandler;

import org.springframework.stereotype.Component;

/**
 * What the email worker does with each {@link OrderPlaced}, whether it comes from its queue (worker-support's
 * consumer calls this for every delivery) or from the synchronous checkout's HTTP call: hands it to the confirmations.
 */
@Component
class OrderPlacedListener implements OrderPlacedHandler {

    private final ConfirmationService confirmations;

    OrderPlacedListener(ConfirmationService confirmations) {
        this.confirmations = confirmations;
    }

    @Override
    public void on(OrderPlaced event) {
        confirmations.confirm(event);
    }
}
