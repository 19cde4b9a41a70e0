package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;

/**
 * Point-to-point against publish/subscribe: consumers of one queue share its messages, every queue bound to a fanout
 * exchange gets a copy of each; and what goes wrong when two services share one queue. {@link PubSubReport} tells it.
 */
final class PubSubLab implements Lab {

    static final String EXCHANGE = "lab.pubsub.orders";
    static final String EMAIL = "lab.pubsub.email";
    static final String INVENTORY = "lab.pubsub.inventory";
    static final int ORDERS = 20;

    /** A pretend job: with prefetch 1 a consumer is busy this long, and the broker gives the next order to another. */
    private static final Duration WORK = Duration.ofMillis(20);

    /** Long enough for a message delivered twice, or to the wrong consumer, to show up before the lab counts. */
    private static final Duration SETTLE = Duration.ofMillis(100);

    /**
     * What each consumer received of the {@link #ORDERS} orders.
     *
     * @param emailDistinct     distinct orders the two email consumers received together
     * @param inventoryDistinct distinct orders the inventory consumer received
     * @param emailService      of the next {@link #ORDERS}, what the email service saw on the inventory's queue
     * @param inventoryService  and what the inventory service saw there
     */
    record Findings(int email1, int email2, int inventory, int emailDistinct, int inventoryDistinct, int emailService,
            int inventoryService) {
    }

    @Override
    public String name() {
        return "pubsub";
    }

    @Override
    public String summary() {
        return "competing consumers share one queue; a fanout exchange gives every queue its own copy";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        PubSubReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        try (Connection connection = RabbitConnector.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                deleteTopology(channel);
                declareTopology(channel);
                Inbox email1 = consumer(connection, EMAIL);
                Inbox email2 = consumer(connection, EMAIL);
                Inbox inventory = consumer(connection, INVENTORY);
                publish(channel, 1, ORDERS);
                Inbox.awaitTotal(ORDERS, email1, email2);
                inventory.await(ORDERS).quietFor(SETTLE);
                for (Inbox each : List.of(email1, email2, inventory)) {
                    each.cancel();
                }
                // Break it: the email service loses its own queue and consumes from the inventory's.
                channel.queueDelete(EMAIL);
                Inbox emailService = consumer(connection, INVENTORY);
                Inbox inventoryService = consumer(connection, INVENTORY);
                publish(channel, ORDERS + 1, ORDERS);
                Inbox.awaitTotal(ORDERS, emailService, inventoryService);
                return new Findings(email1.count(), email2.count(), inventory.count(), distinct(email1, email2),
                        distinct(inventory), emailService.count(), inventoryService.count());
            }
            finally {
                deleteTopology(connection.createChannel());
            }
        }
    }

    private static void declareTopology(Channel channel) throws IOException {
        channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.FANOUT, false);
        for (String queue : List.of(EMAIL, INVENTORY)) {
            channel.queueDeclare(queue, false, false, false, null);
            channel.queueBind(queue, EXCHANGE, "");
        }
        channel.confirmSelect();
    }

    /** A consumer on a channel of its own: prefetch is per channel and consumer, and each acks its own deliveries. */
    private static Inbox consumer(Connection connection, String queue) throws IOException {
        Channel channel = connection.createChannel();
        channel.basicQos(1);
        return Inbox.acking(channel, queue, WORK, Map.of());
    }

    private static void publish(Channel channel, int first, int count) throws Exception {
        for (int order = first; order < first + count; order++) {
            channel.basicPublish(EXCHANGE, "", MessageProperties.PERSISTENT_TEXT_PLAIN,
                    ("order-" + order).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
    }

    private static int distinct(Inbox... inboxes) {
        Set<String> bodies = new HashSet<>();
        Stream.of(inboxes).forEach(inbox -> bodies.addAll(inbox.bodies()));
        return bodies.size();
    }

    /** Also run first: a run that was killed half-way leaves its queues behind. */
    private static void deleteTopology(Channel channel) throws IOException {
        channel.queueDelete(EMAIL);
        channel.queueDelete(INVENTORY);
        channel.exchangeDelete(EXCHANGE);
    }
}
