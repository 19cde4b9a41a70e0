package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;

/**
 * The life of one message in a quorum queue: stored, delivered but unacknowledged, redelivered after its consumer
 * goes away, rejected to the dead-letter queue, and acknowledged there, gone. {@link LifecycleReport} tells it.
 */
final class LifecycleLab implements Lab {

    private static final DeadLetterTopology TOPOLOGY =
            new DeadLetterTopology("lab.lifecycle.orders", "lab.lifecycle.dlx");
    static final String QUEUE = TOPOLOGY.queue();
    static final String DLX = TOPOLOGY.dlx();
    static final String DLQ = TOPOLOGY.dlq();

    /** What the broker said at each step of the message's life. */
    record Findings(Stored stored, Held held, Redelivered redelivered, Counts deadLettered, DeadLetter letter,
            Counts acked) {
    }

    /** Step 1: whether the broker confirmed the publish, and the ready count after it. */
    record Stored(boolean confirmed, int ready) {
    }

    /** Step 2: the delivery to consumer A, the ready count while A holds it, and whether B's basicGet got it. */
    record Held(long deliveryTag, boolean redelivered, int ready, boolean otherGotIt) {
    }

    /** Step 3: the ready count once A's channel closed, and what B's basicGet then got. */
    record Redelivered(int ready, long deliveryTag, boolean redelivered, Object deliveryCount) {
    }

    /** Ready messages in the queue and in its dead-letter queue. */
    record Counts(int ready, int dead) {
    }

    /** Step 5: why and where the dead letter died, from its headers. */
    record DeadLetter(String firstDeathReason, Object reason, Object queue, Object count) {
    }

    @Override
    public String name() {
        return "lifecycle";
    }

    @Override
    public String summary() {
        return "one message step by step: stored, unacked, redelivered, rejected to the DLQ, acked and gone";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        LifecycleReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        try (Connection connection = RabbitConnector.connect(name());
                Connection clientA = RabbitConnector.connect(name() + " consumer A");
                Connection clientB = RabbitConnector.connect(name() + " client B")) {
            try {
                Channel channel = connection.createChannel();
                TOPOLOGY.delete(channel);
                TOPOLOGY.declare(channel, Map.of());
                Channel b = clientB.createChannel();
                Stored stored = publish(channel);
                Channel a = clientA.createChannel();
                Held held = deliverToA(channel, a, b);
                a.close(); // without an ack, as if A had crashed
                Redelivered redelivered = redeliverToB(channel, b);
                b.basicNack(redelivered.deliveryTag(), false, false);
                int dead = Ready.awaitIn(channel, DLQ, 1);
                Counts deadLettered = new Counts(Ready.in(channel, QUEUE), dead);
                Channel c = connection.createChannel();
                DeadLetter letter = readAndAck(c);
                // Closing the channel is how step 3 brought the message back; after an ack there is nothing to bring.
                // The moment after it gives a late return the time to show up in the count.
                c.close();
                Thread.sleep(200);
                dead = Ready.in(channel, DLQ);
                return new Findings(stored, held, redelivered, deadLettered, letter,
                        new Counts(Ready.in(channel, QUEUE), dead));
            }
            finally {
                TOPOLOGY.delete(connection.createChannel());
            }
        }
    }

    private static Stored publish(Channel channel) throws Exception {
        channel.confirmSelect();
        channel.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN,
                "order-1".getBytes(StandardCharsets.UTF_8));
        boolean confirmed = channel.waitForConfirms(Inbox.PATIENCE.toMillis());
        return new Stored(confirmed, Ready.awaitIn(channel, QUEUE, 1));
    }

    /** Consumer A takes the message with manual ack and does not ack; B tries to get it meanwhile. */
    private static Held deliverToA(Channel channel, Channel a, Channel b) throws Exception {
        a.basicQos(1);
        Delivery atA = Inbox.holding(a, QUEUE).await(1).received().get(0);
        int ready = Ready.in(channel, QUEUE);
        GetResponse atB = b.basicGet(QUEUE, false);
        return new Held(atA.getEnvelope().getDeliveryTag(), atA.getEnvelope().isRedeliver(), ready, atB != null);
    }

    private static Redelivered redeliverToB(Channel channel, Channel b) throws Exception {
        int ready = Ready.awaitIn(channel, QUEUE, 1);
        GetResponse atB = awaitGet(b, QUEUE);
        return new Redelivered(ready, atB.getEnvelope().getDeliveryTag(), atB.getEnvelope().isRedeliver(),
                headersOf(atB.getProps()).get("x-delivery-count"));
    }

    /** Consumer C takes the message from the DLQ, reads why it is there, and acks it. */
    private static DeadLetter readAndAck(Channel c) throws Exception {
        c.basicQos(1);
        Delivery atC = Inbox.holding(c, DLQ).await(1).received().get(0);
        Map<String, Object> headers = headersOf(atC.getProperties());
        Map<?, ?> death = headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
                && deaths.get(0) instanceof Map<?, ?> latest ? latest : Map.of();
        c.basicAck(atC.getEnvelope().getDeliveryTag(), false);
        return new DeadLetter(String.valueOf(headers.get("x-first-death-reason")), death.get("reason"),
                death.get("queue"), death.get("count"));
    }

    private static Map<String, Object> headersOf(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        return headers == null ? Map.of() : headers;
    }

    private static GetResponse awaitGet(Channel channel, String queue) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Inbox.PATIENCE.toNanos();
        GetResponse response = channel.basicGet(queue, false);
        while (response == null) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Nothing to get from " + queue + " within "
                        + Inbox.PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(10);
            response = channel.basicGet(queue, false);
        }
        return response;
    }
}
