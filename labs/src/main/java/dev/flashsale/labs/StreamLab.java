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
 * With {@code misuse}, each is used for the other's job instead ({@link StreamMisuse}). {@link StreamReport} tells
 * both.
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
        try (Connection connection = RabbitConnector.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                deleteQueues(channel);
                declareQueues(channel);
                channel.confirmSelect();
                Report report = misuse ? StreamReport.misuse(StreamMisuse.measure(connection, channel))
                        : StreamReport.of(measure(connection, channel));
                report.print();
            }
            finally {
                deleteQueues(connection.createChannel());
            }
        }
    }

    /**
     * @param consumer1 what the first of the queue's two consumers received
     * @param consumer2 and the second
     * @param distinct  distinct orders the two received together
     * @param left      left in the queue once they closed their channels
     * @param fromFirst the stream read from its first offset, twice
     * @param fromFive  the stream read from offset 5
     * @param tail      a reader from next: what it got before the two new orders and in all
     */
    record Findings(int consumer1, int consumer2, int distinct, int left, List<Read> fromFirst, Read fromFive,
            Tail tail) {
    }

    /** What a reader of the stream read from {@code from}: the bodies, and the offsets of the first and last. */
    record Read(String from, List<String> bodies, Object firstOffset, Object lastOffset) {
    }

    record Tail(int beforePublish, List<String> bodies) {
    }

    private static Findings measure(Connection connection, Channel channel) throws Exception {
        for (int order = 1; order <= ORDERS; order++) {
            publish(channel, QUEUE, order);
            publish(channel, STREAM, order);
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        Inbox first = consumer(connection, QUEUE, 1, WORK, Map.of());
        Inbox second = consumer(connection, QUEUE, 1, WORK, Map.of());
        Inbox.awaitTotal(ORDERS, first, second);
        // Closing their channels would give back anything not acked: what stays gone was removed.
        first.getChannel().close();
        second.getChannel().close();
        Thread.sleep(SETTLE.toMillis());
        int left = Ready.in(channel, QUEUE);
        Set<String> distinct = new HashSet<>(first.bodies());
        distinct.addAll(second.bodies());
        List<Read> fromFirst = List.of(read("first", ORDERS, connection), read("first", ORDERS, connection));
        Read fromFive = read(5L, ORDERS - 5, connection);
        return new Findings(first.count(), second.count(), distinct.size(), left, fromFirst, fromFive,
                tail(connection, channel));
    }

    /** A reader from next, then two new orders published. */
    private static Tail tail(Connection connection, Channel channel) throws Exception {
        Inbox tail = reader(connection, "next");
        int beforePublish = tail.quietFor(Duration.ofMillis(500)).count();
        publish(channel, STREAM, ORDERS + 1);
        publish(channel, STREAM, ORDERS + 2);
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        tail.await(2).quietFor(SETTLE).cancel();
        return new Tail(beforePublish, tail.bodies());
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
    private static Read read(Object offset, int expected, Connection connection) throws Exception {
        Inbox reader = reader(connection, offset).await(expected).quietFor(SETTLE);
        reader.cancel();
        List<Delivery> received = reader.received();
        return new Read(offset instanceof Number ? "offset " + offset : String.valueOf(offset), reader.bodies(),
                offsetOf(received.get(0)), offsetOf(received.get(received.size() - 1)));
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
