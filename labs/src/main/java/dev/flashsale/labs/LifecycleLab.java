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
 * goes away, rejected to the dead-letter queue, and acknowledged there, gone.
 */
final class LifecycleLab implements Lab {

    private static final DeadLetterTopology TOPOLOGY =
            new DeadLetterTopology("lab.lifecycle.orders", "lab.lifecycle.dlx");
    private static final String QUEUE = TOPOLOGY.queue();
    private static final String DLX = TOPOLOGY.dlx();
    private static final String DLQ = TOPOLOGY.dlq();

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
        try (Connection connection = Broker.connect(name());
                Connection clientA = Broker.connect(name() + " consumer A");
                Connection clientB = Broker.connect(name() + " client B")) {
            try {
                Channel channel = connection.createChannel();
                TOPOLOGY.delete(channel);
                TOPOLOGY.declare(channel, Map.of());
                System.out.println("The life of one message in the quorum queue " + QUEUE
                        + " (dead letters: " + DLQ + ")");
                Channel b = clientB.createChannel();

                System.out.println("1. publish one persistent message, with publisher confirms");
                channel.confirmSelect();
                channel.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN,
                        "order-1".getBytes(StandardCharsets.UTF_8));
                boolean confirmed = channel.waitForConfirms(Inbox.PATIENCE.toMillis());
                int ready = Ready.awaitIn(channel, QUEUE, 1);
                System.out.printf("   broker confirmed: %s   ready: %d%n", confirmed ? "yes" : "no (nacked)", ready);
                Verdict.check(confirmed && ready == 1, "stored: the broker confirmed it, and a quorum queue confirms"
                                + " once a majority of its replicas have it",
                        "not stored as expected: confirmed=" + confirmed + ", ready " + ready);

                System.out.println("2. consumer A takes it with manual ack, and does not ack");
                Channel a = clientA.createChannel();
                a.basicQos(1);
                Delivery atA = Inbox.holding(a, QUEUE).await(1).received().get(0);
                ready = Ready.in(channel, QUEUE);
                GetResponse atB = b.basicGet(QUEUE, false);
                System.out.printf("   A received it: deliveryTag=%d redelivered=%s   ready: %d   B's basicGet: %s%n",
                        atA.getEnvelope().getDeliveryTag(), atA.getEnvelope().isRedeliver(), ready,
                        atB == null ? "nothing" : "a message");
                Verdict.check(!atA.getEnvelope().isRedeliver() && ready == 0 && atB == null,
                        "unacknowledged: delivered to A, invisible to everyone else, not yet gone",
                        "not held by A: redelivered=" + atA.getEnvelope().isRedeliver() + ", ready " + ready
                                + ", B got " + (atB == null ? "nothing" : "it"));

                System.out.println("3. A's channel closes without an ack, as if A had crashed");
                a.close();
                ready = Ready.awaitIn(channel, QUEUE, 1);
                atB = awaitGet(b, QUEUE);
                Object deliveryCount = headersOf(atB.getProps()).get("x-delivery-count");
                System.out.printf("   ready: %d   B's basicGet: deliveryTag=%d redelivered=%s x-delivery-count=%s%n",
                        ready, atB.getEnvelope().getDeliveryTag(), atB.getEnvelope().isRedeliver(), deliveryCount);
                Verdict.check(ready == 1 && atB.getEnvelope().isRedeliver()
                                && deliveryCount instanceof Number count && count.intValue() == 1,
                        "not gone: back in the queue, then to B, marked redelivered, with A's failed delivery counted",
                        "no redelivery seen: ready " + ready + ", redelivered=" + atB.getEnvelope().isRedeliver()
                                + ", x-delivery-count=" + deliveryCount);

                System.out.println("4. B rejects it (basicNack, requeue=false)");
                b.basicNack(atB.getEnvelope().getDeliveryTag(), false, false);
                int dead = Ready.awaitIn(channel, DLQ, 1);
                ready = Ready.in(channel, QUEUE);
                System.out.printf("   orders ready: %d   dlq ready: %d%n", ready, dead);
                Verdict.check(ready == 0 && dead == 1,
                        "dead-lettered: the queue sent the rejected message via " + DLX + " to " + DLQ,
                        "not dead-lettered: orders ready " + ready + ", dlq ready " + dead);

                System.out.println("5. consumer C takes it from the DLQ, reads why it is there, and acks it");
                Channel c = connection.createChannel();
                c.basicQos(1);
                Delivery atC = Inbox.holding(c, DLQ).await(1).received().get(0);
                Map<String, Object> headers = headersOf(atC.getProperties());
                String firstDeathReason = String.valueOf(headers.get("x-first-death-reason"));
                Map<?, ?> death = headers.get("x-death") instanceof List<?> deaths && !deaths.isEmpty()
                        && deaths.get(0) instanceof Map<?, ?> latest ? latest : Map.of();
                System.out.printf("   x-first-death-reason=%s   x-death: reason=%s queue=%s count=%s%n",
                        firstDeathReason, death.get("reason"), death.get("queue"), death.get("count"));
                Verdict.check("rejected".equals(firstDeathReason) && QUEUE.equals(String.valueOf(death.get("queue"))),
                        "the dead letter says why and where: rejected, in " + QUEUE,
                        "the dead letter's headers do not say it was rejected in " + QUEUE);
                c.basicAck(atC.getEnvelope().getDeliveryTag(), false);
                // Closing the channel is how step 3 brought the message back; after an ack there is nothing to bring.
                // The moment after it gives a late return the time to show up in the count.
                c.close();
                Thread.sleep(200);
                dead = Ready.in(channel, DLQ);
                ready = Ready.in(channel, QUEUE);
                System.out.printf("   acked, then C's channel closed: orders ready: %d   dlq ready: %d%n", ready, dead);
                Verdict.check(ready == 0 && dead == 0,
                        "acknowledged: gone for good, closing the channel brought nothing back",
                        "still there after the ack: orders ready " + ready + ", dlq ready " + dead);
            }
            finally {
                TOPOLOGY.delete(connection.createChannel());
            }
        }
    }

    private static Map<String, Object> headersOf(AMQP.BasicProperties properties) {
        Map<String, Object> headers = properties.getHeaders();
        return headers == null ? Map.of() : headers;
    }

    private static GetResponse awaitGet(Channel channel, String queue) throws Exception {
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
