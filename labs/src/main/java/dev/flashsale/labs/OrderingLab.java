package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

/**
 * Ordering per key, and what it costs: competing consumers apply a customer's events out of order, a single active
 * consumer keeps the order by giving up parallelism, and partitioning by key keeps both.
 *
 * <p>Every event takes a few milliseconds of work at the consumer and is applied when the work is done; the lab
 * records, at that moment, whether a later event of the same customer was applied before it. {@link OrderingReport}
 * tells it.
 */
final class OrderingLab implements Lab {

    static final int KEYS = 8;
    static final int EVENTS_PER_KEY = 40;
    static final int EVENTS = KEYS * EVENTS_PER_KEY;
    static final int CONSUMERS = 4;

    /** Work per event, in milliseconds: uneven, so a consumer on a quick event overtakes one on a slow event. */
    static final int MIN_WORK = 2;
    static final int MAX_WORK = 8;

    private static final String ONE_QUEUE = "lab.ordering.one";
    private static final String COMPETING_QUEUE = "lab.ordering.competing";
    private static final String SINGLE_ACTIVE_QUEUE = "lab.ordering.single-active";
    private static final String PARTITIONS_EXCHANGE = "lab.ordering.partitioned";

    @Override
    public String name() {
        return "ordering";
    }

    @Override
    public String summary() {
        return "ordering per key: competing consumers break it, one active consumer or partitions keep it";
    }

    /** The four runs, in order: one consumer, competing consumers, single active consumer, partitions. */
    record Findings(Result one, Result competing, Result singleActive, Result partitioned) {
    }

    /** One run: how many consumers it had, how many of them applied events, how many out of order, how long. */
    record Result(String label, int consumers, int busy, int outOfOrder, long elapsedMillis) {
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        OrderingReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        List<String> partitions = new ArrayList<>();
        for (int partition = 0; partition < CONSUMERS; partition++) {
            partitions.add("lab.ordering.partition-" + partition);
        }
        List<Connection> consumers = new ArrayList<>();
        try (Connection connection = RabbitConnector.connect(name())) {
            Channel channel = connection.createChannel();
            try {
                declareQueues(channel, partitions);
                // One connection per consumer, like separate worker processes (each has its own dispatch threads).
                for (int consumer = 0; consumer < CONSUMERS; consumer++) {
                    consumers.add(RabbitConnector.connect(name() + " consumer " + (consumer + 1)));
                }
                return new Findings(
                        runOnce(channel, "A one consumer", key -> new Route("", ONE_QUEUE), consumers.subList(0, 1),
                                List.of(ONE_QUEUE)),
                        runOnce(channel, "B four competing consumers", key -> new Route("", COMPETING_QUEUE),
                                consumers, Collections.nCopies(CONSUMERS, COMPETING_QUEUE)),
                        runOnce(channel, "C four, single active consumer", key -> new Route("", SINGLE_ACTIVE_QUEUE),
                                consumers, Collections.nCopies(CONSUMERS, SINGLE_ACTIVE_QUEUE)),
                        // The eight customers' hashes fall two to a partition; real keys spread as evenly as their
                        // hash does.
                        runOnce(channel, "D four partitions, hash(customer) % 4", key -> new Route(PARTITIONS_EXCHANGE,
                                String.valueOf(Math.floorMod(key.hashCode(), CONSUMERS))), consumers, partitions));
            }
            finally {
                for (Connection consumer : consumers) {
                    consumer.close();
                }
                deleteQueues(connection, partitions);
            }
        }
    }

    private static void declareQueues(Channel channel, List<String> partitions) throws IOException {
        // Classic queues: the lesson is the same on quorum queues, and a lab's queues need no replicas.
        channel.queueDeclare(ONE_QUEUE, false, false, false, null);
        channel.queueDeclare(COMPETING_QUEUE, false, false, false, null);
        channel.queueDeclare(SINGLE_ACTIVE_QUEUE, false, false, false, Map.of("x-single-active-consumer", true));
        // Partitioned by key: the publisher picks the queue, so one customer's events all meet one consumer.
        // In production, RabbitMQ's consistent-hash exchange plugin routes by a hash of the routing key the
        // same way, and a super stream with single active consumer does it for streams, rebalancing included.
        channel.exchangeDeclare(PARTITIONS_EXCHANGE, "direct", false);
        for (int partition = 0; partition < CONSUMERS; partition++) {
            channel.queueDeclare(partitions.get(partition), false, false, false, null);
            channel.queueBind(partitions.get(partition), PARTITIONS_EXCHANGE, String.valueOf(partition));
        }
    }

    private static void deleteQueues(Connection connection, List<String> partitions) throws Exception {
        // A fresh channel: the lab's own may have been closed by the error that brought us here.
        try (Channel cleanup = connection.createChannel()) {
            cleanup.queueDelete(ONE_QUEUE);
            cleanup.queueDelete(COMPETING_QUEUE);
            cleanup.queueDelete(SINGLE_ACTIVE_QUEUE);
            for (String partition : partitions) {
                cleanup.queueDelete(partition);
            }
            cleanup.exchangeDelete(PARTITIONS_EXCHANGE);
        }
    }

    /**
     * Publishes all the events (confirmed, so the queues are full before anyone consumes), then starts one consumer
     * per queue given, each on its own connection, and waits until every event is applied.
     */
    private static Result runOnce(Channel publisher, String label, Function<String, Route> routing,
            List<Connection> connections, List<String> queues) throws Exception {
        publisher.confirmSelect();
        for (String event : interleavedEvents()) {
            Route route = routing.apply(event.substring(0, event.indexOf(' ')));
            publisher.basicPublish(route.exchange, route.routingKey, null, event.getBytes(StandardCharsets.UTF_8));
        }
        publisher.waitForConfirmsOrDie(5_000);

        Applied applied = new Applied();
        List<Channel> channels = new ArrayList<>();
        long start = System.nanoTime();
        for (int consumer = 0; consumer < queues.size(); consumer++) {
            Channel channel = connections.get(consumer).createChannel();
            channels.add(channel);
            channel.basicQos(1);
            channel.basicConsume(queues.get(consumer), false, new Worker(channel, applied));
        }
        boolean done = applied.all.await(20, TimeUnit.SECONDS);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        for (Channel channel : channels) {
            channel.close();
        }
        if (!done) {
            throw new IllegalStateException(label + ": only " + (EVENTS - applied.all.getCount()) + " of " + EVENTS
                    + " events were applied in 20 s");
        }
        return new Result(label, queues.size(), applied.busy(), applied.outOfOrder(), elapsedMillis);
    }

    /**
     * Every customer's events in its own order, the customers mixed as they act: at random, but the same mix on
     * every run. Two events of one customer are often close together in the queue, as in real traffic.
     */
    private static List<String> interleavedEvents() {
        Random random = new Random(KEYS * EVENTS_PER_KEY);
        int[] published = new int[KEYS];
        List<Integer> active = new ArrayList<>();
        for (int key = 0; key < KEYS; key++) {
            active.add(key);
        }
        List<String> events = new ArrayList<>();
        while (!active.isEmpty()) {
            int index = random.nextInt(active.size());
            int key = active.get(index);
            events.add("customer-" + (key + 1) + " " + ++published[key]);
            if (published[key] == EVENTS_PER_KEY) {
                active.remove(index);
            }
        }
        return events;
    }

    private record Route(String exchange, String routingKey) {
    }

    /** A consumer: works on an event, then applies it, then acknowledges it. */
    private static final class Worker extends DefaultConsumer {

        private final Applied applied;

        Worker(Channel channel, Applied applied) {
            super(channel);
            this.applied = applied;
        }

        @Override
        public void handleDelivery(String consumerTag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                throws IOException {
            String[] event = new String(body, StandardCharsets.UTF_8).split(" ");
            try {
                Thread.sleep(ThreadLocalRandom.current().nextInt(MIN_WORK, MAX_WORK + 1));
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
            applied.apply(consumerTag, event[0], Integer.parseInt(event[1]));
            getChannel().basicAck(envelope.getDeliveryTag(), false);
            applied.all.countDown(); // after the ack: the run closes this channel once every event is counted
        }
    }

    /** Every customer's last applied event, as the consumers' shared database would see it. */
    private static final class Applied {

        final CountDownLatch all = new CountDownLatch(EVENTS);
        private final Map<String, Integer> lastSequence = new HashMap<>();
        private final Set<String> busyConsumers = new HashSet<>();
        private int outOfOrder;

        synchronized void apply(String consumerTag, String customer, int sequence) {
            busyConsumers.add(consumerTag);
            int last = lastSequence.getOrDefault(customer, 0);
            if (sequence < last) {
                outOfOrder++;
            }
            lastSequence.put(customer, Math.max(last, sequence));
        }

        synchronized int outOfOrder() {
            return outOfOrder;
        }

        synchronized int busy() {
            return busyConsumers.size();
        }
    }
}
