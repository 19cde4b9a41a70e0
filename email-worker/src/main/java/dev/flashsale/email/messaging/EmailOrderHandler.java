package dev.flashsale.email.messaging;

import dev.flashsale.email.confirmation.ConfirmationService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.OrderPlacedHandler;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Component;

/**
 * The email worker's handler of each {@link OrderPlaced}: it sends the order's confirmation (and waits while SMTP is
 * away, {@link #waitOut}). worker-support's pipeline calls it whichever way the order arrives (a batch from the
 * queue, one delivery on its own, the synchronous checkout's HTTP call), inside the transaction of the order's dedup
 * row, and only for an order this worker has not applied yet.
 */
@Component
class EmailOrderHandler implements OrderPlacedHandler {

    private final ConfirmationService confirmations;

    EmailOrderHandler(ConfirmationService confirmations) {
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
