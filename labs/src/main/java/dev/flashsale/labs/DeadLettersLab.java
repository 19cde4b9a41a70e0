package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import dev.flashsale.events.Topology;

/**
 * What a dead-letter exchange and a delivery limit are for, shown by taking them away: a rejected message with no
 * dead-letter exchange is dropped; a message that crashes every consumer comes back for ever on a queue with no
 * delivery limit, and is parked on a quorum queue with one. {@link DeadLettersReport} tells it.
 */
final class DeadLettersLab implements Lab {

    /** Shaped like the workers' queues: quorum, a dead-letter exchange, the same delivery limit. */
    static final DeadLetterTopology ORDERS =
            new DeadLetterTopology("lab.dead-letters.orders", "lab.dead-letters.dlx");
    static final String NO_DLX = "lab.dead-letters.no-dlx";
    static final String CLASSIC = "lab.dead-letters.classic";

    /** How long the lab lets a message crash consumers on the queue without a limit, and how often at most. */
    static final Duration CRASHING_FOR = Duration.ofSeconds(1);
    static final int CRASHES_AT_MOST = 500;

    /** Long enough for a message that a closed channel gives back to show up in the queue's count. */
    private static final Duration SETTLE = Duration.ofMillis(200);

    /**
     * @param rejected   the first part: a message rejected from the queue with a dead-letter exchange, one from the
     *                   queue without
     * @param forever    the second: the crashing message on the classic queue, with no delivery limit
     * @param stillThere ready in the classic queue once the lab gave up (1: the message is still there)
     * @param limited    the crashing message on the quorum queue with the workers' delivery limit
     * @param parked     in that queue's dead-letter queue afterwards
     * @param whyParked  the dead letter's {@code x-first-death-reason}
     */
    record Findings(Rejected rejected, Crashes forever, int stillThere, Crashes limited, int parked,
            Object whyParked) {
    }

    /**
     * @param ready            ready in the queue with a dead-letter exchange, after the reject
     * @param parked           in its dead-letter queue
     * @param firstDeathReason the dead letter's {@code x-first-death-reason}
     * @param dropped          ready in the queue without a dead-letter exchange, after the reject
     */
    record Rejected(int ready, int parked, Object firstDeathReason, int dropped) {
    }

    /** How often a message was delivered to a consumer that crashed, and for how long. */
    record Crashes(int deliveries, double seconds) {
    }

    @Override
    public String name() {
        return "dead-letters";
    }

    @Override
    public String summary() {
        return "without a dead-letter exchange a rejected message is dropped; without a delivery limit a crash loops";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        DeadLettersReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        try (Connection connection = RabbitConnector.connect(name())) {
            Channel channel = connection.createChannel();
            try {
                deleteQueues(channel);
                ORDERS.declare(channel, Map.of("x-delivery-limit", Topology.DELIVERY_LIMIT));
                channel.queueDeclare(NO_DLX, true, false, false, Map.of("x-queue-type", "quorum"));
                channel.queueDeclare(CLASSIC, true, false, false, Map.of("x-queue-type", "classic"));
                channel.confirmSelect();
                Rejected rejected = rejectBoth(connection, channel);
                publish(channel, CLASSIC);
                Crashes forever = crashConsumers(connection, channel, CLASSIC, null);
                int stillThere = Ready.awaitIn(channel, CLASSIC, 1);
                publish(channel, ORDERS.queue());
                Crashes limited = crashConsumers(connection, channel, ORDERS.queue(), ORDERS.dlq());
                int parked = Ready.awaitIn(channel, ORDERS.dlq(), 1);
                GetResponse letter = channel.basicGet(ORDERS.dlq(), true);
                return new Findings(rejected, forever, stillThere, limited, parked, firstDeathReason(letter));
            }
            finally {
                deleteQueues(connection.createChannel());
            }
        }
    }

    /** A message rejected from the queue with a dead-letter exchange, and one from the queue without. */
    private static Rejected rejectBoth(Connection connection, Channel channel) throws Exception {
        reject(connection, channel, ORDERS.queue());
        reject(connection, channel, NO_DLX);
        int parked = Ready.awaitIn(channel, ORDERS.dlq(), 1);
        GetResponse letter = channel.basicGet(ORDERS.dlq(), true);
        Thread.sleep(SETTLE.toMillis());
        int dropped = Ready.in(channel, NO_DLX);
        return new Rejected(Ready.in(channel, ORDERS.queue()), parked, firstDeathReason(letter), dropped);
    }

    /** A consumer takes one message from {@code queue} and rejects it; its channel then closes. */
    private static void reject(Connection connection, Channel publishing, String queue) throws Exception {
        publish(publishing, queue);
        try (Channel consumer = connection.createChannel()) {
            GetResponse message = awaitGet(consumer, queue, null);
            consumer.basicNack(message.getEnvelope().getDeliveryTag(), false, false);
        }
    }

    /**
     * Delivers the message in {@code queue} to one consumer after another, each of which dies holding it, until it
     * no longer comes (it went to {@code dlq}) or the lab gives up.
     */
    private static Crashes crashConsumers(Connection connection, Channel channel, String queue, String dlq)
            throws Exception {
        long started = System.nanoTime();
        long deadline = started + CRASHING_FOR.toNanos();
        int deliveries = 0;
        while (System.nanoTime() < deadline && deliveries < CRASHES_AT_MOST) {
            Channel consumer = connection.createChannel();
            GetResponse message = awaitGet(consumer, queue, dlq == null ? null : () -> Ready.in(channel, dlq) > 0);
            if (message == null) {
                consumer.close();
                break;
            }
            deliveries++;
            // The crash: the channel goes without an ack, and the broker takes the message back.
            consumer.close();
        }
        return new Crashes(deliveries, (System.nanoTime() - started) / 1e9);
    }

    /** Whether the message is gone from where the lab waits for it. */
    private interface Gone {
        boolean now() throws IOException;
    }

    /**
     * The next message from {@code queue}, taken with manual ack; {@code null} once {@code gone} says it will not come.
     * A message given back by a closed channel is in the queue again a moment after the close.
     */
    private static GetResponse awaitGet(Channel consumer, String queue, Gone gone) throws Exception {
        long deadline = System.nanoTime() + Inbox.PATIENCE.toNanos();
        for (GetResponse message = consumer.basicGet(queue, false); ; message = consumer.basicGet(queue, false)) {
            if (message != null) {
                return message;
            }
            if (gone != null && gone.now()) {
                return null;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("No message came from " + queue + " within "
                        + Inbox.PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(1);
        }
    }

    private static void publish(Channel channel, String queue) throws Exception {
        channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                "order-1".getBytes(StandardCharsets.UTF_8));
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
    }

    private static Object firstDeathReason(GetResponse letter) {
        Map<String, Object> headers = letter == null ? null : letter.getProps().getHeaders();
        return headers == null ? "none" : headers.get("x-first-death-reason");
    }

    /** Also run first: a run that was killed half-way leaves its queues behind, with its messages in them. */
    private static void deleteQueues(Channel channel) throws IOException {
        ORDERS.delete(channel);
        channel.queueDelete(NO_DLX);
        channel.queueDelete(CLASSIC);
    }
}
