package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConfirmListener;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;

/**
 * Backpressure from a full queue: with {@code reject-publish} (what the project's work queues use, see
 * {@code Topology.workQueueArguments}) the broker refuses what it cannot hold and says so to the publisher; with
 * {@code drop-head} it takes everything and silently throws the oldest away. {@link OverflowReport} tells it.
 */
final class OverflowLab implements Lab {

    static final int MAX_LENGTH = 100;
    static final int MESSAGES = 300;

    /**
     * Messages go out in batches, each confirmed before the next, because a quorum queue's limit is soft: it takes
     * every publish that reaches it and only then, over its limit, tells the channels to refuse the next ones (until
     * it is back under 80% of the limit). A burst of 300 may all get in before that word arrives.
     */
    static final int BATCH = 10;

    static final String REJECT_QUEUE = "lab.overflow.reject";
    static final String DROP_HEAD_QUEUE = "lab.overflow.drop-head";

    /**
     * @param rejected what the publisher's 300 to the reject-publish queue came to
     * @param held     what that queue then held
     * @param dropped  what the publisher's 300 to the drop-head queue came to
     * @param left     the numbers that queue then held, in queue order
     * @param released what happened once a consumer drained the reject-publish queue and the publisher re-sent
     */
    record Findings(Confirms rejected, long held, Confirms dropped, List<Integer> left, Released released) {
    }

    /** The numbers the broker confirmed, and those it refused, each sorted. */
    record Confirms(List<Integer> acked, List<Integer> nacked) {
    }

    /**
     * @param drained         whether the consumer received all that the queue had confirmed
     * @param drainedReceived how many it had received by then
     * @param resent          the re-sent messages: confirmed, and refused on the way
     * @param complete        whether every one of the 300 arrived in the end
     * @param received        the distinct numbers the consumer received, sorted
     * @param deliveries      deliveries in all, duplicates included
     */
    record Released(boolean drained, int drainedReceived, Resent resent, boolean complete, List<Integer> received,
            int deliveries) {
    }

    record Resent(int confirmed, int refused) {
    }

    @Override
    public String name() {
        return "overflow";
    }

    @Override
    public String summary() {
        return "a full queue: reject-publish pushes back on the publisher, drop-head loses messages silently";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        OverflowReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        try (Connection connection = RabbitConnector.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                // Quorum queues, like the work queues: they support both overflow behaviours (not reject-publish-dlx).
                channel.queueDeclare(REJECT_QUEUE, true, false, false, arguments("reject-publish"));
                channel.queueDeclare(DROP_HEAD_QUEUE, true, false, false, arguments("drop-head"));
                ConfirmedPublisher publisher = new ConfirmedPublisher(channel);
                Confirms rejected = publisher.publish(REJECT_QUEUE, numbers(1, MESSAGES));
                long held = channel.queueDeclarePassive(REJECT_QUEUE).getMessageCount();
                Confirms dropped = publisher.publish(DROP_HEAD_QUEUE, numbers(1, MESSAGES));
                List<Integer> left = drain(channel, DROP_HEAD_QUEUE);
                Released released = release(new Receiver(connection.createChannel()), publisher, rejected);
                return new Findings(rejected, held, dropped, left, released);
            }
            finally {
                // A fresh channel: the lab's own may have been closed by the error that brought us here.
                try (Channel cleanup = connection.createChannel()) {
                    cleanup.queueDelete(REJECT_QUEUE);
                    cleanup.queueDelete(DROP_HEAD_QUEUE);
                }
            }
        }
    }

    /** A consumer drains the reject-publish queue; the publisher re-sends what it kept. */
    private static Released release(Receiver receiver, ConfirmedPublisher publisher, Confirms rejected)
            throws Exception {
        receiver.start(REJECT_QUEUE);
        boolean drained = receiver.awaitDistinct(rejected.acked().size());
        int drainedReceived = receiver.received.size();
        Resent resent = resend(publisher, rejected.nacked());
        boolean complete = receiver.awaitDistinct(MESSAGES);
        return new Released(drained, drainedReceived, resent, complete, new ArrayList<>(receiver.received),
                receiver.deliveries.get());
    }

    private static Map<String, Object> arguments(String overflow) {
        return Map.of("x-queue-type", "quorum", "x-max-length", MAX_LENGTH, "x-overflow", overflow);
    }

    /**
     * What an outbox does with refused messages: keeps them and publishes them again until the broker confirms every
     * one (in a bounded number of rounds here, so the lab stops).
     */
    private static Resent resend(ConfirmedPublisher publisher, List<Integer> kept) throws Exception {
        List<Integer> pending = new ArrayList<>(kept);
        int confirmed = 0;
        int refused = 0;
        for (int round = 0; round < 50 && !pending.isEmpty(); round++) {
            Confirms confirms = publisher.publish(REJECT_QUEUE, pending);
            pending.removeAll(confirms.acked);
            confirmed += confirms.acked.size();
            refused += confirms.nacked.size();
            if (!confirms.nacked.isEmpty()) {
                Thread.sleep(20); // give the consumer a moment before knocking again
            }
        }
        return new Resent(confirmed, refused);
    }

    /** Takes every message of a queue (auto-acknowledged), in queue order. */
    private static List<Integer> drain(Channel channel, String queue) throws IOException {
        List<Integer> numbers = new ArrayList<>();
        for (GetResponse response = channel.basicGet(queue, true); response != null;
                response = channel.basicGet(queue, true)) {
            numbers.add(Integer.valueOf(new String(response.getBody(), StandardCharsets.UTF_8)));
        }
        return numbers;
    }

    private static List<Integer> numbers(int from, int to) {
        List<Integer> numbers = new ArrayList<>();
        for (int number = from; number <= to; number++) {
            numbers.add(number);
        }
        return numbers;
    }

    /** Publishes persistent messages and waits for the broker's answer to each: a confirm (ack) or a refusal (nack). */
    private static final class ConfirmedPublisher implements ConfirmListener {

        private final Channel channel;
        private final SortedMap<Long, Integer> outstanding = new TreeMap<>();
        private final List<Integer> acked = new ArrayList<>();
        private final List<Integer> nacked = new ArrayList<>();

        ConfirmedPublisher(Channel channel) throws IOException {
            this.channel = channel;
            channel.confirmSelect();
            channel.addConfirmListener(this);
        }

        /**
         * Publishes the numbered messages in order, {@link #BATCH} at a time, each batch settled before the next, and
         * returns the numbers confirmed and refused, each sorted.
         */
        Confirms publish(String queue, List<Integer> numbers) throws IOException, InterruptedException,
                TimeoutException {
            synchronized (this) {
                acked.clear();
                nacked.clear();
            }
            for (int from = 0; from < numbers.size(); from += BATCH) {
                for (int number : numbers.subList(from, Math.min(from + BATCH, numbers.size()))) {
                    synchronized (this) {
                        outstanding.put(channel.getNextPublishSeqNo(), number);
                    }
                    channel.basicPublish("", queue, MessageProperties.PERSISTENT_BASIC,
                            String.valueOf(number).getBytes(StandardCharsets.UTF_8));
                }
                awaitSettled(queue);
            }
            synchronized (this) {
                List<Integer> ackedNow = new ArrayList<>(acked);
                List<Integer> nackedNow = new ArrayList<>(nacked);
                ackedNow.sort(null);
                nackedNow.sort(null);
                return new Confirms(ackedNow, nackedNow);
            }
        }

        private synchronized void awaitSettled(String queue) throws InterruptedException, TimeoutException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!outstanding.isEmpty()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new TimeoutException(outstanding.size() + " publishes to " + queue
                            + " were neither confirmed nor refused within 5 s");
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }

        @Override
        public synchronized void handleAck(long deliveryTag, boolean multiple) {
            settle(deliveryTag, multiple, acked);
        }

        @Override
        public synchronized void handleNack(long deliveryTag, boolean multiple) {
            settle(deliveryTag, multiple, nacked);
        }

        private void settle(long deliveryTag, boolean multiple, List<Integer> into) {
            SortedMap<Long, Integer> settled = multiple ? outstanding.headMap(deliveryTag + 1)
                    : outstanding.subMap(deliveryTag, deliveryTag + 1);
            into.addAll(settled.values());
            settled.clear();
            notifyAll();
        }
    }

    /** A consumer that acknowledges each message as it arrives and remembers which numbers it saw. */
    private static final class Receiver {

        final NavigableSet<Integer> received = new ConcurrentSkipListSet<>();
        final AtomicInteger deliveries = new AtomicInteger();
        private final Channel channel;

        Receiver(Channel channel) {
            this.channel = channel;
        }

        void start(String queue) throws IOException {
            channel.basicQos(MAX_LENGTH);
            channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                @Override
                public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties,
                        byte[] body) throws IOException {
                    received.add(Integer.valueOf(new String(body, StandardCharsets.UTF_8)));
                    deliveries.incrementAndGet();
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                }
            });
        }

        /** Waits (at most 5 s) until this many distinct messages have arrived. */
        boolean awaitDistinct(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (received.size() < count && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            return received.size() >= count;
        }
    }
}
