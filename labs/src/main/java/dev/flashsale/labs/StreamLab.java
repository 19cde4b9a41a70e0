package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.MessageProperties;

/**
 * A queue against a stream: a queue's consumers share its messages and each one is removed once acked; a stream is a
 * log that every reader reads from a position of its own, as often as it likes, until retention removes old entries.
 * With {@code misuse}, each is used for the other's job instead ({@link StreamMisuse}).
 */
final class StreamLab implements Lab {

    static final String STREAM = "lab.stream.orders";
    static final String QUEUE = "lab.stream.queue";
    static final int ORDERS = 10;

    /** A pretend job: with prefetch 1 a consumer is busy this long, and the broker gives the next order to another. */
    private static final Duration WORK = Duration.ofMillis(20);

    /** Long enough for a message a reader should not get to show up before the lab counts. */
    static final Duration SETTLE = Duration.ofMillis(200);

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public String summary() {
        return "a queue forgets what was consumed, a stream keeps it for every reader"
                + " (misuse: each for the other's job)";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        boolean misuse = arguments.equals(List.of("misuse"));
        if (!arguments.isEmpty() && !misuse) {
            System.err.println("Usage: scripts/lab.sh stream [misuse]");
            System.exit(2);
        }
        try (Connection connection = Broker.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                deleteQueues(channel);
                declareQueues(channel);
                channel.confirmSelect();
                if (misuse) {
                    StreamMisuse.show(connection, channel);
                    return;
                }
                System.out.println("The same " + ORDERS + " orders, published with confirms to a queue and a stream:");
                System.out.println("   " + QUEUE + " (quorum queue) and " + STREAM
                        + " (stream, kept for 10 minutes or 1 MB)");
                for (int order = 1; order <= ORDERS; order++) {
                    publish(channel, QUEUE, order);
                    publish(channel, STREAM, order);
                }
                channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());

                System.out.println("Two competing consumers of the queue (prefetch 1, manual ack):");
                Inbox first = consumer(connection, QUEUE, 1, WORK, Map.of());
                Inbox second = consumer(connection, QUEUE, 1, WORK, Map.of());
                Inbox.awaitTotal(ORDERS, first, second);
                // Closing their channels would give back anything not acked: what stays gone was removed.
                first.getChannel().close();
                second.getChannel().close();
                Thread.sleep(SETTLE.toMillis());
                int left = channel.queueDeclarePassive(QUEUE).getMessageCount();
                Set<String> distinct = new HashSet<>(first.bodies());
                distinct.addAll(second.bodies());
                System.out.printf("   consumer 1: %d   consumer 2: %d   left in the queue once they closed: %d%n",
                        first.count(), second.count(), left);
                Verdict.check(first.count() + second.count() == ORDERS && distinct.size() == ORDERS && left == 0,
                        "a queue gives each message to one consumer and removes it once acked: consumed = removed",
                        "the queue did not hand out each order once and forget it: " + distinct.size() + " distinct, "
                                + left + " left");

                System.out.println("Readers of the stream (prefetch, manual ack, consumer argument x-stream-offset):");
                Inbox reader1 = read("first", ORDERS, connection);
                Inbox reader2 = read("first", ORDERS, connection);
                Verdict.check(reader1.count() == ORDERS && reader2.bodies().equals(reader1.bodies()),
                        "reading does not remove: a stream is a log, and every reader keeps its own position",
                        "the second reader from first did not read the same " + ORDERS + ": " + reader2.bodies());
                Inbox replay = read(5L, ORDERS - 5, connection);
                Verdict.check(replay.count() == ORDERS - 5 && replay.bodies().get(0).equals("order-6"),
                        "a reader can start anywhere: from offset 5 it replayed the last " + (ORDERS - 5),
                        "from offset 5 the reader got " + replay.bodies());

                Inbox tail = reader(connection, "next");
                int beforePublish = tail.quietFor(Duration.ofMillis(500)).count();
                publish(channel, STREAM, ORDERS + 1);
                publish(channel, STREAM, ORDERS + 2);
                channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
                tail.await(2).quietFor(SETTLE).cancel();
                System.out.printf("   from next: %d in 500 ms; then 2 new orders were published: it read %d %s%n",
                        beforePublish, tail.count(), tail.bodies());
                Verdict.check(beforePublish == 0 && tail.bodies().equals(List.of("order-11", "order-12")),
                        "a reader from next gets only what is published after it started",
                        "the reader from next got " + beforePublish + " before and " + tail.bodies() + " in all");
            }
            finally {
                deleteQueues(connection.createChannel());
            }
        }
    }

    private static void declareQueues(Channel channel) throws IOException {
        channel.queueDeclare(QUEUE, true, false, false, Map.of("x-queue-type", "quorum"));
        // Retention is checked when a segment file is full, so a small segment makes a small retention real.
        channel.queueDeclare(STREAM, true, false, false, Map.of(
                "x-queue-type", "stream",
                "x-max-age", "10m",
                "x-max-length-bytes", 1_000_000L,
                "x-stream-max-segment-size-bytes", 100_000));
    }

    static void publish(Channel channel, String queue, int order) throws IOException {
        channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                ("order-" + order).getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the stream from {@code offset} until {@code expected} messages came, and a moment more; then stops. */
    private static Inbox read(Object offset, int expected, Connection connection) throws Exception {
        Inbox reader = reader(connection, offset).await(expected).quietFor(SETTLE);
        reader.cancel();
        List<Delivery> received = reader.received();
        System.out.printf("   from %s: read %d (%s to %s, offsets %s to %s)%n",
                offset instanceof Number ? "offset " + offset : offset, reader.count(),
                reader.bodies().get(0), reader.bodies().get(reader.count() - 1),
                offsetOf(received.get(0)), offsetOf(received.get(received.size() - 1)));
        return reader;
    }

    /**
     * A stream reader over AMQP 0-9-1: it must set a prefetch and ack manually (the acks only grant credit, they
     * remove nothing), and says where to start with the x-stream-offset consumer argument.
     */
    static Inbox reader(Connection connection, Object offset) throws IOException {
        return consumer(connection, STREAM, ORDERS, Duration.ZERO, Map.of("x-stream-offset", offset));
    }

    static Inbox consumer(Connection connection, String queue, int prefetch, Duration work,
            Map<String, Object> arguments) throws IOException {
        Channel channel = connection.createChannel();
        channel.basicQos(prefetch);
        return Inbox.acking(channel, queue, work, arguments);
    }

    private static Object offsetOf(Delivery delivery) {
        return delivery.getProperties().getHeaders().get("x-stream-offset");
    }

    /** Also run first: a stream left behind by a killed run would still hold its orders, and shift every offset. */
    private static void deleteQueues(Channel channel) throws IOException {
        channel.queueDelete(QUEUE);
        channel.queueDelete(STREAM);
    }
}
