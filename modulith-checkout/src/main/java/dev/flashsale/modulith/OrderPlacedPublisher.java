package dev.flashsale.modulith;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.flashsale.events.EventMessages;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.modulith.events.IncompleteEventPublications;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends each {@link OrderPlaced} to the orders exchange after the checkout's commit, as a message the workers take
 * exactly as they take the order-service's (same headers, same JSON).
 *
 * <p>The listener returns only once the broker has confirmed the message: the registry marks a publication complete
 * when its listener returns, and a publication marked complete on a send that the broker then lost (a nack, a return,
 * a connection closed before the confirm) would be an order lost for good. Modulith's own AMQP externalization does not
 * wait for the confirm; the peer does, so that it is as safe as the order-service, and the comparison is fair. A
 * listener that throws leaves its publication incomplete: {@link #resubmitIncomplete()} sends it again.
 */
@Component
class OrderPlacedPublisher {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(10);

    private final RabbitTemplate rabbit;
    private final JsonMapper json;
    private final EventMessages messages = new EventMessages("modulith-checkout");
    private final IncompleteEventPublications incomplete;
    private final Duration resubmitAfter;

    /**
     * @param resubmitAfter how old an incomplete publication must be before it is sent again
     *        ({@code flashsale.modulith.resubmit-after}, 30 s): longer than the confirm timeout, so that a publication
     *        whose listener still waits for its confirm is not sent a second time
     */
    OrderPlacedPublisher(RabbitTemplate rabbit, JsonMapper json, IncompleteEventPublications incomplete,
            @Value("${flashsale.modulith.resubmit-after:30s}") Duration resubmitAfter) {
        this.rabbit = rabbit;
        this.json = json;
        this.incomplete = incomplete;
        this.resubmitAfter = resubmitAfter;
    }

    @ApplicationModuleListener
    void on(OrderPlaced event) throws InterruptedException {
        CorrelationData correlation = new CorrelationData(event.eventId().toString());
        rabbit.send(Topology.ORDERS_EXCHANGE, "", toAmqp(event), correlation);
        CorrelationData.Confirm confirm;
        try {
            confirm = correlation.getFuture().get(CONFIRM_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (ExecutionException | TimeoutException ex) {
            throw new AmqpException("No confirm for order " + event.orderId() + ": " + ex, ex);
        }
        if (!confirm.ack() || correlation.getReturned() != null) {
            throw new AmqpException("The broker did not take order " + event.orderId() + ": "
                    + (confirm.ack() ? "returned" : "nack " + confirm.reason()));
        }
    }

    /** The registry's own way to send again what was not sent (Modulith: "resubmitting incomplete publications"). */
    @Scheduled(fixedDelayString = "${flashsale.modulith.resubmit-interval:10s}")
    void resubmitIncomplete() {
        incomplete.resubmitIncompletePublicationsOlderThan(resubmitAfter);
    }

    private Message toAmqp(OrderPlaced event) {
        return messages.message(event.eventId(), event.orderId(), OrderPlaced.TYPE, OrderPlaced.VERSION, event.occurredAt(),
                json.writeValueAsBytes(event));
    }
}
