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
 * exchange gets a copy of each; and what goes wrong when two services share one queue.
 */
final class PubSubLab implements Lab {

    private static final String EXCHANGE = "lab.pubsub.orders";
    private static final String EMAIL = "lab.pubsub.email";
    private static final String INVENTORY = "lab.pubsub.inventory";
    private static final int ORDERS = 20;

    /** A pretend job: with prefetch 1 a consumer is busy this long, and the broker gives the next order to another. */
    private static final Duration WORK = Duration.ofMillis(20);

    /** Long enough for a message delivered twice, or to the wrong consumer, to show up before the lab counts. */
    private static final Duration SETTLE = Duration.ofMillis(100);

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
        try (Connection connection = Broker.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                deleteTopology(channel);
                channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.FANOUT, false);
                for (String queue : List.of(EMAIL, INVENTORY)) {
                    channel.queueDeclare(queue, false, false, false, null);
                    channel.queueBind(queue, EXCHANGE, "");
                }
                channel.confirmSelect();
                System.out.println("The fanout exchange " + EXCHANGE + " is bound to two queues:");
                System.out.println("   " + EMAIL + ": two competing consumers, email-1 and email-2 (prefetch 1)");
                System.out.println("   " + INVENTORY + ": one consumer, inventory");
                Inbox email1 = consumer(connection, EMAIL);
                Inbox email2 = consumer(connection, EMAIL);
                Inbox inventory = consumer(connection, INVENTORY);

                publish(channel, 1, ORDERS);
                System.out.println("Published " + ORDERS + " orders to the exchange; each consumer received:");
                Inbox.awaitTotal(ORDERS, email1, email2);
                inventory.await(ORDERS).quietFor(SETTLE);
                System.out.printf("   email-1: %d   email-2: %d   inventory: %d%n",
                        email1.count(), email2.count(), inventory.count());
                int emailTotal = email1.count() + email2.count();
                int emailDistinct = distinct(email1, email2);
                boolean shared = email1.count() > 0 && email2.count() > 0;
                Verdict.check(emailTotal == ORDERS && emailDistinct == ORDERS && shared,
                        "competing consumers on one queue share the work: each message to one of them (point-to-point)",
                        "the email consumers did not share the " + ORDERS + " orders: " + emailTotal + " received, "
                                + emailDistinct + " distinct");
                Verdict.check(emailDistinct == ORDERS && distinct(inventory) == ORDERS && inventory.count() == ORDERS,
                        "every queue bound to the fanout exchange got its own copy of all " + ORDERS
                                + " (publish/subscribe)",
                        "not every queue got all " + ORDERS + ": email " + emailDistinct + ", inventory "
                                + distinct(inventory));

                for (Inbox each : List.of(email1, email2, inventory)) {
                    each.cancel();
                }
                channel.queueDelete(EMAIL);
                System.out.println("Break it: the email service loses its own queue and consumes from " + INVENTORY);
                Inbox emailService = consumer(connection, INVENTORY);
                Inbox inventoryService = consumer(connection, INVENTORY);
                publish(channel, ORDERS + 1, ORDERS);
                Inbox.awaitTotal(ORDERS, emailService, inventoryService);
                int emailMissed = ORDERS - emailService.count();
                int inventoryMissed = ORDERS - inventoryService.count();
                System.out.printf("   published %d more orders: the email service saw %d, the inventory service %d%n",
                        ORDERS, emailService.count(), inventoryService.count());
                Verdict.check(emailMissed > 0 && inventoryMissed > 0,
                        "two services on ONE queue compete: the email service missed " + emailMissed
                                + " orders, the inventory service " + inventoryMissed,
                        "one service saw every order: the email service missed " + emailMissed
                                + ", the inventory service " + inventoryMissed);
            }
            finally {
                deleteTopology(connection.createChannel());
            }
        }
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
