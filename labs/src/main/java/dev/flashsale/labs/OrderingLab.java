package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * records, at that moment, whether a later event of the same customer was applied before it.
 */
final class OrderingLab implements Lab {

    private static final int KEYS = 8;
    private static final int EVENTS_PER_KEY = 40;
    private static final int EVENTS = KEYS * EVENTS_PER_KEY;
    private static final int CONSUMERS = 4;

    /** Work per event, in milliseconds: uneven, so a consumer on a quick event overtakes one on a slow event. */
    private static final int MIN_WORK = 2;
    private static final int MAX_WORK = 8;

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

    @Override
    public void run(List<String> arguments) throws Exception {
        System.out.printf("%d customers publish %d events each (numbered 1..%d), interleaved: %d events a run.%n",
                KEYS, EVENTS_PER_KEY, EVENTS_PER_KEY, EVENTS);
        System.out.printf("Each consumer works %d-%d ms on an event (prefetch 1), then applies it and checks the"
                + " customer's order.%n", MIN_WORK, MAX_WORK);
        System.out.println();

        List<String> partitions = new ArrayList<>();
        for (int partition = 0; partition < CONSUMERS; partition++) {
            partitions.add("lab.ordering.partition-" + partition);
        }
        List<Connection> consumers = new ArrayList<>();
        try (Connection connection = Broker.connect(name())) {
            Channel channel = connection.createChannel();
            try {
                // Classic queues: the lesson is the same on quorum queues, and a lab's queues need no replicas.
                channel.queueDeclare(ONE_QUEUE, false, false, false, null);
                channel.queueDeclare(COMPETING_QUEUE, false, false, false, null);
                channel.queueDeclare(SINGLE_ACTIVE_QUEUE, false, false, false,
                        Map.of("x-single-active-consumer", true));
                // Partitioned by key: the publisher picks the queue, so one customer's events all meet one consumer.
                // In production, RabbitMQ's consistent-hash exchange plugin routes by a hash of the routing key the
                // same way, and a super stream with single active consumer does it for streams, rebalancing included.
                channel.exchangeDeclare(PARTITIONS_EXCHANGE, "direct", false);
                for (int partition = 0; partition < CONSUMERS; partition++) {
                    channel.queueDeclare(partitions.get(partition), false, false, false, null);
                    channel.queueBind(partitions.get(partition), PARTITIONS_EXCHANGE, String.valueOf(partition));
                }
                // One connection per consumer, like separate worker processes (each has its own dispatch threads).
                for (int consumer = 0; consumer < CONSUMERS; consumer++) {
                    consumers.add(Broker.connect(name() + " consumer " + (consumer + 1)));
                }

                System.out.printf("%-37s %9s %4s %12s %10s%n", "run", "consumers", "busy", "out of order", "elapsed");
                Result one = run(channel, "A one consumer", key -> new Route("", ONE_QUEUE), consumers.subList(0, 1),
                        List.of(ONE_QUEUE));
                Result competing = run(channel, "B four competing consumers", key -> new Route("", COMPETING_QUEUE),
                        consumers, List.of(COMPETING_QUEUE, COMPETING_QUEUE, COMPETING_QUEUE, COMPETING_QUEUE));
                Result singleActive = run(channel, "C four, single active consumer",
                        key -> new Route("", SINGLE_ACTIVE_QUEUE), consumers,
                        List.of(SINGLE_ACTIVE_QUEUE, SINGLE_ACTIVE_QUEUE, SINGLE_ACTIVE_QUEUE, SINGLE_ACTIVE_QUEUE));
                // The eight customers' hashes fall two to a partition; real keys spread as evenly as their hash does.
                Result partitioned = run(channel, "D four partitions, hash(customer) % 4",
                        key -> new Route(PARTITIONS_EXCHANGE, String.valueOf(Math.floorMod(key.hashCode(), CONSUMERS))),
                        consumers, partitions);
                System.out.println();
                verdicts(one, competing, singleActive, partitioned);
            }
            finally {
                for (Connection consumer : consumers) {
                    consumer.close();
                }
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
        }
    }

    private static void verdicts(Result one, Result competing, Result singleActive, Result partitioned) {
        boolean broken = competing.outOfOrder > 0;
        if (broken) {
            System.out.printf("=> competing consumers applied %d events after a later event of the same customer%n",
                    competing.outOfOrder);
        }
        else {
            System.out.println("=> competing consumers happened to keep every customer's order this time");
        }
        boolean kept = one.outOfOrder == 0 && singleActive.outOfOrder == 0 && partitioned.outOfOrder == 0;
        if (kept) {
            System.out.println("=> one consumer, a single active consumer and partitions by key kept every customer's"
                    + " order");
        }
        else {
            System.out.printf("=> out of order where it must not be: one consumer %d, single active %d,"
                    + " partitions %d%n", one.outOfOrder, singleActive.outOfOrder, partitioned.outOfOrder);
        }
        double speedup = (double) singleActive.elapsedMillis / partitioned.elapsedMillis;
        boolean faster = speedup >= 2 && singleActive.busy == 1;
        if (faster) {
            System.out.printf("=> partitions were %.1fx faster than a single active consumer: ordered per customer,"
                    + " parallel across them%n", speedup);
        }
        else {
            System.out.printf("=> partitions were not clearly faster than a single active consumer this time (%.1fx,"
                    + " %d busy)%n", speedup, singleActive.busy);
        }
        if (!broken || !kept || !faster) {
            throw new IllegalStateException("the ordering lab did not show what it is about (see the verdicts above)");
        }
    }

    /**
     * Publishes all the events (confirmed, so the queues are full before anyone consumes), then starts one consumer
     * per queue given, each on its own connection, and waits until every event is applied.
     */
    private static Result run(Channel publisher, String label, Function<String, Route> routing,
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
        Result result = new Result(applied.outOfOrder(), applied.busy(), elapsedMillis);
        System.out.printf("%-37s %9d %4d %12d %7d ms%n", label, queues.size(), result.busy, result.outOfOrder,
                result.elapsedMillis);
        return result;
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

    private record Result(int outOfOrder, int busy, long elapsedMillis) {
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
