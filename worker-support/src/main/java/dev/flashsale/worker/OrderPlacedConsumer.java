package dev.flashsale.worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import com.rabbitmq.client.Channel;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.demo.FaultInjector;
import io.micrometer.observation.Observation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.amqp.support.converter.MessageConversionException;

/**
 * The worker's queue listener: it takes deliveries in batches and applies a batch's orders in one database
 * transaction, then acknowledges them together, so that a commit (a write to the database file) and an
 * acknowledgement are paid once per batch instead of once per order.
 *
 * <ol>
 * <li>The {@link OrderApplier} applies the batch: orders this worker has applied already are found with one query;
 * the simulated downstream calls of the others are made (concurrently, so the batch waits as long as one order
 * would), outside the transaction; then one transaction, a savepoint per order, each order's dedup row and its
 * handler's effect written in it.</li>
 * <li>At the first order that fails, its savepoint is rolled back and the batch stops there: the orders before it
 * are committed and acknowledged, and it and the orders after it are handled {@link DeliveryRetrier one at a time}, each
 * in a transaction of its own, with retries, backoff and dead-lettering. One failing order never holds back or
 * undoes the orders that succeeded before it, and an effect outside the database (a mail sent) is never repeated
 * because another order of its batch failed.</li>
 * </ol>
 *
 * <p>Acknowledgements are manual, on the wire, and sent only after the commit: an order is never acknowledged before
 * its effect is durable. While a fault knob is set, every message is handled one at a time, as the knobs describe.
 * Under a {@link RateCap} a batch waits for its turn before anything in it is applied.
 */
final class OrderPlacedConsumer {

    /** The id of this listener's container, for whoever stops and starts it. */
    static final String LISTENER_ID = "order-placed";

    /** The id of the express queue's container, for a worker that has one (WorkerAutoConfiguration). */
    static final String EXPRESS_LISTENER_ID = "order-placed-express";

    /** A tag of each delivery's observation: committed with its batch, handed over to be applied alone, or alone. */
    private static final String BATCH_OUTCOME = "flashsale.batch";

    private static final Logger log = LoggerFactory.getLogger(OrderPlacedConsumer.class);

    private final OrderPlacedMessageConverter converter;
    private final OrderApplier applier;
    private final DeliveryRetrier retrier;
    private final FaultInjector faults;
    private final RateCap rateCap;
    private final DeliveryObservations observations;

    OrderPlacedConsumer(OrderPlacedMessageConverter converter, OrderApplier applier, DeliveryRetrier retrier,
            FaultInjector faults, RateCap rateCap, DeliveryObservations observations) {
        this.converter = converter;
        this.applier = applier;
        this.retrier = retrier;
        this.faults = faults;
        this.rateCap = rateCap;
        this.observations = observations;
    }

    /** The deliveries of the express queue: handled exactly as the work queue's. */
    void consumeExpress(List<Message> deliveries, Channel channel) {
        try {
            consume(deliveries, channel);
        }
        catch (IOException channelGone) {
            // As for the work queue's container: what is not acknowledged goes back to the queue with the channel.
            throw new UncheckedIOException(channelGone);
        }
    }

    @RabbitListener(id = LISTENER_ID, queues = "${flashsale.worker.queue}", containerFactory = "orderPlacedContainerFactory")
    void consume(List<Message> deliveries, Channel channel) throws IOException {
        Acknowledgements acks = new Acknowledgements(channel);
        try {
            rateCap.acquire(deliveries.size());
            List<Message> readable = new ArrayList<>(deliveries.size());
            List<OrderPlaced> orders = new ArrayList<>(deliveries.size());
            for (Message delivery : deliveries) {
                if (deliveries.size() == 1 || faults.active()) {
                    acks.settle(delivery, alone(delivery));
                    continue;
                }
                try {
                    orders.add(converter.fromMessage(delivery));
                    readable.add(delivery);
                }
                catch (MessageConversionException unreadable) {
                    // Dead-lettered there at once, with its reason: no number of tries can read it.
                    acks.settle(delivery, alone(delivery));
                }
            }
            int committed = applyTogetherObserved(readable, orders, acks);
            for (Message delivery : readable.subList(committed, readable.size())) {
                acks.settle(delivery, alone(delivery));
            }
        }
        catch (RuntimeException ex) {
            // The worker is stopping (interrupted), or the broker could not be told: what is not acknowledged comes back.
            log.warn("A batch of {} deliveries ended early; the unacknowledged ones go back to the queue: {}", deliveries.size(), ex.toString());
            acks.handBackTheRest(deliveries);
        }
    }

    /**
     * {@link OrderApplier#applyTogether} with each delivery observed: its span lasts from the batch's start to its acknowledgement,
     * and is marked {@code handed-over} for a delivery that was not committed with the batch (it then gets a span of its
     * own, one at a time).
     */
    private int applyTogetherObserved(List<Message> readable, List<OrderPlaced> orders, Acknowledgements acks) throws IOException {
        List<Observation> observed = readable.stream().map(observations::start).toList();
        int committed = 0;
        try {
            committed = applier.applyTogether(orders, observed);
            acks.ackUpTo(readable, committed);
        }
        finally {
            for (int i = 0; i < observed.size(); i++) {
                observed.get(i).lowCardinalityKeyValue(BATCH_OUTCOME, i < committed ? "committed" : "handed-over").stop();
            }
        }
        return committed;
    }

    private DeliveryRetrier.Result alone(Message delivery) {
        Observation observation = observations.start(delivery);
        try (Observation.Scope trace = observation.openScope()) {
            return retrier.handle(delivery);
        }
        catch (RuntimeException ex) {
            // The dead letter itself could not be sent (the broker did not confirm it): the message is tried again later.
            log.warn("Could not finish a delivery; it goes back to the queue: {}", ex.toString());
            observation.error(ex);
            return DeliveryRetrier.Result.HAND_BACK;
        }
        finally {
            observation.lowCardinalityKeyValue(BATCH_OUTCOME, "alone").stop();
        }
    }

    /** The acknowledgements of one batch, on the channel it was delivered on. */
    private static final class Acknowledgements {

        private final Channel channel;
        private final Set<Long> settled = new HashSet<>();

        Acknowledgements(Channel channel) {
            this.channel = channel;
        }

        void settle(Message delivery, DeliveryRetrier.Result result) throws IOException {
            long tag = delivery.getMessageProperties().getDeliveryTag();
            if (result == DeliveryRetrier.Result.DONE) {
                channel.basicAck(tag, false);
            }
            else {
                // One by one, not "multiple": a quorum queue counts each message handed back towards its delivery limit.
                channel.basicNack(tag, false, true);
            }
            settled.add(tag);
        }

        /**
         * Acknowledges the first {@code count} deliveries, committed together, with one "multiple" acknowledgement:
         * every delivery before them on this channel is settled already (earlier batches, and the ones of this batch
         * that went one at a time first).
         */
        void ackUpTo(List<Message> deliveries, int count) throws IOException {
            if (count == 0) {
                return;
            }
            channel.basicAck(deliveries.get(count - 1).getMessageProperties().getDeliveryTag(), true);
            deliveries.subList(0, count).forEach(delivery -> settled.add(delivery.getMessageProperties().getDeliveryTag()));
        }

        void handBackTheRest(List<Message> deliveries) {
            for (Message delivery : deliveries) {
                long tag = delivery.getMessageProperties().getDeliveryTag();
                if (!settled.contains(tag)) {
                    try {
                        channel.basicNack(tag, false, true);
                    }
                    catch (IOException | RuntimeException ex) {
                        // The channel is gone: the broker takes back whatever was unacknowledged on it anyway.
                        return;
                    }
                }
            }
        }
    }
}
