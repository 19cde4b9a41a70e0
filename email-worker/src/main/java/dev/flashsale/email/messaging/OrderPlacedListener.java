package dev.flashsale.email.messaging;

import dev.flashsale.email.confirmation.ConfirmationService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

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
    public Outcome apply(OrderPlaced order) {
        return confirmations.send(order);
    }

    @Override
    public boolean waitOut(OrderPlaced order, RuntimeException failure) throws InterruptedException {
        return confirmations.awaitSmtp(order, failure);
    }
}
