package dev.flashsale.worker;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.support.micrometer.RabbitListenerObservation;
import org.springframework.amqp.rabbit.support.micrometer.RabbitListenerObservation.DefaultRabbitListenerObservationConvention;
import org.springframework.amqp.rabbit.support.micrometer.RabbitMessageReceiverContext;

/**
 * One observation per delivery: a span in the trace of the checkout that placed the order (read from the message's
 * {@code traceparent} header), and the {@code spring.rabbit.listener} timer.
 *
 * <p>Spring AMQP's listener containers make exactly this observation ({@link RabbitListenerObservation}) for a
 * listener that takes one message at a time, and none for a batch listener, which is what this worker's containers
 * are. So the consumer makes it itself, per delivery: each order of a batch is a span of its own trace, and the log
 * lines written while it is applied carry that trace's id.
 */
final class DeliveryObservations {

    private final ObservationRegistry registry;

    DeliveryObservations(ObservationRegistry registry) {
        this.registry = registry;
    }

    /** A started observation of one delivery, named after the queue it came from ({@code <queue> receive}). */
    Observation start(Message delivery) {
        String queue = delivery.getMessageProperties().getConsumerQueue();
        return RabbitListenerObservation.LISTENER_OBSERVATION
                .observation(null, DefaultRabbitListenerObservationConvention.INSTANCE,
                        () -> new RabbitMessageReceiverContext(delivery, queue == null ? "unknown" : queue), registry)
                .start();
    }
}
