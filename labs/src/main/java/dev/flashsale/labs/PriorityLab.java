package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;

/**
 * What a priority queue reorders, and what it cannot: a classic queue with {@code x-max-priority} hands out a
 * high-priority message before the backlog in the queue, but not before the messages its consumer has already
 * prefetched. Why the email worker's express orders get a queue of their own instead (docs/decisions.md).
 * {@link PriorityReport} tells it.
 */
final class PriorityLab implements Lab {

    private static final String QUEUE = "lab.priority.queue";

    /** Normal messages waiting in the queue when the express one is published. */
    static final int BACKLOG = 200;

    /** A pretend job per message: long enough that the backlog is still there when the express message comes. */
    static final Duration WORK = Duration.ofMillis(5);

    static final int NORMAL = 0;
    static final int EXPRESS = 9;

    @Override
    public String name() {
        return "priority";
    }

    @Override
    public String summary() {
        return "a priority queue serves an urgent message before its backlog, but after what the consumer prefetched";
    }

    /** The two runs: with the consumer's prefetch at 50, and at 1. */
    record Findings(Waited withPrefetch50, Waited withPrefetch1) {
    }

    /** How many normal messages the consumer handled after the express one was published and before it, of how many. */
    record Waited(int prefetch, int behind, int waiting) {
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        try (Connection connection = RabbitConnector.connect(name())) {
            Channel channel = connection.createChannel();
            try {
                PriorityReport.of(new Findings(waitedBehind(connection, channel, 50),
                        waitedBehind(connection, channel, 1))).print();
            }
            finally {
                channel.queueDelete(QUEUE);
            }
        }
    }

    /**
     * Fills the queue, starts one consumer with this prefetch, publishes the express message once the consumer is
     * busy, and answers how many normal messages were handled after the express one was published and before it.
     */
    private static Waited waitedBehind(Connection connection, Channel channel, int prefetch) throws Exception {
        channel.queueDelete(QUEUE);
        channel.queueDeclare(QUEUE, true, false, false, Map.of("x-max-priority", 10));
        channel.confirmSelect();
        for (int i = 1; i <= BACKLOG; i++) {
            publish(channel, "normal-" + i, NORMAL);
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());

        Channel consuming = connection.createChannel();
        consuming.basicQos(prefetch);
        Inbox consumer = Inbox.acking(consuming, QUEUE, WORK, Map.of());
        consumer.await(1);
        int handledBefore = consumer.count();
        publish(channel, "express", EXPRESS);
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        int position = awaitExpress(consumer);
        consumer.stop();
        consuming.close();
        return new Waited(prefetch, position - handledBefore, BACKLOG - handledBefore);
    }

    /** Where the express message came among what the consumer handled. */
    private static int awaitExpress(Inbox consumer) throws InterruptedException {
        long deadline = System.nanoTime() + Inbox.PATIENCE.toNanos();
        int position;
        while ((position = consumer.bodies().indexOf("express")) < 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The express message did not arrive within "
                        + Inbox.PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(5);
        }
        return position;
    }

    private static void publish(Channel channel, String body, int priority) throws IOException {
        AMQP.BasicProperties properties = MessageProperties.PERSISTENT_BASIC.builder().priority(priority).build();
        channel.basicPublish("", QUEUE, properties, body.getBytes(StandardCharsets.UTF_8));
    }
}
