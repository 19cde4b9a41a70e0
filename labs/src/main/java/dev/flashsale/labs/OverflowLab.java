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
 * {@code drop-head} it takes everything and silently throws the oldest away.
 */
final class OverflowLab implements Lab {

    private static final int MAX_LENGTH = 100;
    private static final int MESSAGES = 300;

    /**
     * Messages go out in batches, each confirmed before the next, because a quorum queue's limit is soft: it takes
     * every publish that reaches it and only then, over its limit, tells the channels to refuse the next ones (until
     * it is back under 80% of the limit). A burst of 300 may all get in before that word arrives.
     */
    private static final int BATCH = 10;

    private static final String REJECT_QUEUE = "lab.overflow.reject";
    private static final String DROP_HEAD_QUEUE = "lab.overflow.drop-head";

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
        try (Connection connection = Broker.connect(name())) {
            try {
                Channel channel = connection.createChannel();
                // Quorum queues, like the work queues: they support both overflow behaviours (not reject-publish-dlx).
                channel.queueDeclare(REJECT_QUEUE, true, false, false, arguments("reject-publish"));
                channel.queueDeclare(DROP_HEAD_QUEUE, true, false, false, arguments("drop-head"));
                ConfirmedPublisher publisher = new ConfirmedPublisher(channel);

                System.out.printf("1. %s (quorum, x-max-length %d, x-overflow reject-publish), no consumer:%n",
                        REJECT_QUEUE, MAX_LENGTH);
                System.out.printf("   publish %d persistent messages with publisher confirms, %d at a time%n", MESSAGES,
                        BATCH);
                Confirms rejected = publisher.publish(REJECT_QUEUE, numbers(1, MESSAGES));
                long held = channel.queueDeclarePassive(REJECT_QUEUE).getMessageCount();
                System.out.printf("   confirmed %d (%s), nacked %d (%s); the queue holds %d%n", rejected.acked.size(),
                        range(rejected.acked), rejected.nacked.size(), range(rejected.nacked), held);
                System.out.println(held > MAX_LENGTH
                        ? "   %d over the limit: the publishes already on their way when it filled still got in"
                                .formatted(held - MAX_LENGTH)
                        : "   not one over the limit");
                boolean pushedBack = !rejected.nacked.isEmpty()
                        && rejected.acked.size() + rejected.nacked.size() == MESSAGES;
                System.out.println(pushedBack
                        ? ("=> the full queue refused %d publishes with a nack: the publisher still has them and must"
                                + " keep them to retry").formatted(rejected.nacked.size())
                        : "=> the queue took every publish this time: no backpressure seen");
                System.out.println();

                System.out.printf("2. %s (quorum, x-max-length %d, x-overflow drop-head), no consumer:%n",
                        DROP_HEAD_QUEUE, MAX_LENGTH);
                Confirms dropped = publisher.publish(DROP_HEAD_QUEUE, numbers(1, MESSAGES));
                List<Integer> left = drain(channel, DROP_HEAD_QUEUE);
                System.out.printf("   confirmed %d, nacked %d; the queue holds %d: messages %s%n", dropped.acked.size(),
                        dropped.nacked.size(), left.size(), range(left));
                int lost = dropped.acked.size() - left.size();
                boolean silentLoss = dropped.nacked.isEmpty() && lost > 0;
                System.out.println(silentLoss
                        ? ("=> all %d confirmed, yet %d of them were lost silently: the oldest were dropped for the"
                                + " newest").formatted(dropped.acked.size(), lost)
                        : "=> drop-head lost nothing this time (%d confirmed, %d left)".formatted(dropped.acked.size(),
                                left.size()));
                System.out.println();

                System.out.printf("3. a consumer starts on %s and drains it; the publisher re-sends the %d it"
                        + " kept,%n", REJECT_QUEUE, rejected.nacked.size());
                System.out.printf("   %d at a time, and any refused again until the broker confirms it (as the outbox"
                        + " does)%n", BATCH);
                Receiver receiver = new Receiver(connection.createChannel());
                receiver.start(REJECT_QUEUE);
                boolean drained = receiver.awaitDistinct(rejected.acked.size());
                System.out.printf("   the consumer drained the queue: received %d%n", receiver.received.size());
                Resent resent = resend(publisher, rejected.nacked);
                boolean complete = receiver.awaitDistinct(MESSAGES);
                NavigableSet<Integer> received = receiver.received;
                System.out.printf("   re-sent %d: confirmed %d, refused on the way %d; the consumer received %d"
                        + " (%d distinct: %s)%n", rejected.nacked.size(), resent.confirmed, resent.refused,
                        receiver.deliveries.get(), received.size(), range(new ArrayList<>(received)));
                boolean released = drained && complete && resent.confirmed == rejected.nacked.size();
                System.out.println(released
                        ? "=> once the consumer caught up, the queue took publishes again: all %d arrived, none lost"
                                .formatted(received.size())
                        : "=> the queue did not take the kept messages back in time (%d of %d arrived)"
                                .formatted(received.size(), MESSAGES));

                if (!pushedBack || !silentLoss || !released) {
                    throw new IllegalStateException("the overflow lab did not show what it is about (see the verdicts"
                            + " above)");
                }
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

    /** "101..300" for a run of consecutive numbers, "first..last, not consecutive" otherwise, "none" when empty. */
    private static String range(List<Integer> numbers) {
        if (numbers.isEmpty()) {
            return "none";
        }
        int first = numbers.get(0);
        int last = numbers.get(numbers.size() - 1);
        boolean consecutive = last - first + 1 == numbers.size();
        return first + ".." + last + (consecutive ? "" : ", with gaps");
    }

    private record Confirms(List<Integer> acked, List<Integer> nacked) {
    }

    private record Resent(int confirmed, int refused) {
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
