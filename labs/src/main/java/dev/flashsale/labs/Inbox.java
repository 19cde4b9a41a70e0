package dev.flashsale.labs;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Delivery;
import com.rabbitmq.client.Envelope;

/**
 * A consumer that keeps what it receives, so that a lab can wait for a number of messages (never forever) and then
 * look at them.
 */
final class Inbox extends DefaultConsumer {

    /** How long a lab waits for messages it is owed before it gives up with a clear message. */
    static final Duration PATIENCE = Duration.ofSeconds(5);

    private final String queue;
    private final boolean acks;
    private final Duration work;
    private final List<Delivery> received = new CopyOnWriteArrayList<>();

    /** Guarded by this: set by {@link #stop()}, after which a delivery is neither kept nor acked. */
    private boolean stopped;

    private Inbox(Channel channel, String queue, boolean acks, Duration work) {
        super(channel);
        this.queue = queue;
        this.acks = acks;
        this.work = work;
    }

    /** Consumes with manual acks but never acks: the lab decides when, or whether, each message is acknowledged. */
    static Inbox holding(Channel channel, String queue) throws IOException {
        return start(new Inbox(channel, queue, false, Duration.ZERO), Map.of());
    }

    /**
     * Consumes with manual acks and acks each message after {@code work}: a pretend job, long enough that a consumer
     * with prefetch 1 is busy while the broker hands the next message to another.
     */
    static Inbox acking(Channel channel, String queue, Duration work, Map<String, Object> arguments)
            throws IOException {
        return start(new Inbox(channel, queue, true, work), arguments);
    }

    private static Inbox start(Inbox inbox, Map<String, Object> arguments) throws IOException {
        inbox.getChannel().basicConsume(inbox.queue, false, arguments, inbox);
        return inbox;
    }

    @Override
    public synchronized void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        if (stopped) {
            return;
        }
        if (!work.isZero()) {
            sleep(work);
        }
        received.add(new Delivery(envelope, properties, body));
        if (acks) {
            getChannel().basicAck(envelope.getDeliveryTag(), false);
        }
    }

    /** Waits until at least {@code count} messages have arrived; fails after {@link #PATIENCE}. */
    Inbox await(int count) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (received.size() < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + received.size() + " of " + count + " messages arrived from "
                        + queue + " within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
        return this;
    }

    /** Waits until the inboxes, together, hold at least {@code count} messages; fails after {@link #PATIENCE}. */
    static void awaitTotal(int count, Inbox... inboxes) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (total(inboxes) < count) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Only " + total(inboxes) + " of " + count + " messages arrived from "
                        + inboxes[0].queue + " within " + PATIENCE.toSeconds() + " s");
            }
            Thread.sleep(10);
        }
    }

    private static int total(Inbox... inboxes) {
        int total = 0;
        for (Inbox inbox : inboxes) {
            total += inbox.count();
        }
        return total;
    }

    /**
     * Waits a moment in which nothing is expected to arrive, so that a message arriving anyway is counted: the only
     * way to see that something did NOT happen.
     */
    Inbox quietFor(Duration moment) {
        sleep(moment);
        return this;
    }

    int count() {
        return received.size();
    }

    List<Delivery> received() {
        return List.copyOf(received);
    }

    List<String> bodies() {
        return received.stream().map(delivery -> new String(delivery.getBody())).toList();
    }

    /**
     * Takes no more deliveries, and returns once the one being handled (if any) is done: its channel can then be
     * closed without an ack racing the close. What the broker still sends goes back to the queue with the channel.
     */
    synchronized void stop() {
        stopped = true;
    }

    /** Stops the deliveries; the channel stays open, so what was received and not acked stays with this consumer. */
    void cancel() throws IOException {
        getChannel().basicCancel(getConsumerTag());
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
