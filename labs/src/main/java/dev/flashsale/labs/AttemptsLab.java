package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.MessageProperties;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Max attempts: a message that can never succeed, retried in the listener as the workers retry (Spring's
 * {@link RetryTemplate}, the thread waits between attempts), is parked after the workers' 5 attempts; with 1000 it
 * holds its consumer, and every message in the consumer's prefetch and in the queue behind it waits.
 */
final class AttemptsLab implements Lab {

    private static final DeadLetterTopology TOPOLOGY =
            new DeadLetterTopology("lab.attempts.orders", "lab.attempts.dlx");
    private static final String QUEUE = TOPOLOGY.queue();
    private static final String DLQ = TOPOLOGY.dlq();
    private static final String POISON = "order-1";
    private static final int ORDERS = 21;
    private static final int PREFETCH = 10;

    /** The workers' waits, this many times shorter: the lab's seconds stand for the workers' minutes. */
    private static final int SPEED_UP = 40;

    /** How long the lab watches the consumer with 1000 attempts before it stops it. */
    private static final Duration WATCH = Duration.ofMillis(1_500);

    @Override
    public String name() {
        return "attempts";
    }

    @Override
    public String summary() {
        return "max attempts: a message that never succeeds is parked after 5, or holds its consumer with 1000";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        System.out.printf("%d orders in the quorum queue %s (dead letters: %s): %s fails at every%n", ORDERS, QUEUE,
                DLQ, POISON);
        System.out.printf("attempt, as an order whose dependency refuses it for good; order-2 to order-%d are fine. One"
                + " consumer,%n", ORDERS);
        System.out.printf("prefetch %d, retries in the listener with Spring's RetryTemplate, at the workers' pace %d"
                + " times faster%n", PREFETCH, SPEED_UP);
        System.out.printf("(%d ms doubling up to %d ms).%n", WorkerRetryPolicy.DELAY.dividedBy(SPEED_UP).toMillis(),
                WorkerRetryPolicy.MAX_DELAY.dividedBy(SPEED_UP).toMillis());
        try (Connection connection = Broker.connect(name())) {
            try {
                System.out.printf("%nmax attempts %d (the workers' setting):%n", WorkerRetryPolicy.MAX_ATTEMPTS);
                // Given the lab's whole patience: it ends as soon as all is settled, a few tenths of a second.
                Watched parked = watch(connection, WorkerRetryPolicy.MAX_ATTEMPTS, Inbox.PATIENCE);
                Verdict.check(parked.deadLettered == 1 && parked.done == ORDERS - 1,
                        "parked after its last attempt, " + POISON + " is out of the way: the " + (ORDERS - 1)
                                + " behind it went through",
                        "not parked and passed: " + parked.deadLettered + " dead-lettered, " + parked.done + " done");

                System.out.printf("%nmax attempts 1000:%n");
                Watched held = watch(connection, 1_000, WATCH);
                Verdict.check(held.deadLettered == 0 && held.done == 0 && held.inPrefetch > 0 && held.waiting > 0,
                        POISON + " holds its consumer: the " + held.inPrefetch + " in its prefetch and the "
                                + held.waiting + " in the queue behind them wait",
                        "not held: " + held.done + " done, " + held.deadLettered + " dead-lettered");

                System.out.printf("%nAt the workers' own pace (1 s doubling up to 30 s, jitter 250 ms; the mean of"
                        + " 1000 runs of their policy):%n");
                double parkedAfter = meanHold(WorkerRetryPolicy.MAX_ATTEMPTS).toMillis() / 1000.0;
                double heldFor = meanHold(1_000).toMillis() / 3_600_000.0;
                System.out.printf("   %d attempts hold a message %.0f s before it is parked; 1000 attempts hold it %.0f"
                        + " hours%n", WorkerRetryPolicy.MAX_ATTEMPTS, parkedAfter, heldFor);
                Verdict.check(heldFor > 1, "a limit of 1000 attempts does not park a message that never succeeds:"
                                + " it holds it, and its prefetch, for hours",
                        "1000 attempts would hold it only " + heldFor + " hours");
            }
            finally {
                TOPOLOGY.delete(connection.createChannel());
            }
        }
    }

    /** What one run showed when the lab stopped watching. */
    private record Watched(int done, int deadLettered, int inPrefetch, int waiting) {
    }

    /** 21 orders into a fresh queue, one retrying consumer, until all is settled or {@code atMost} is over. */
    private static Watched watch(Connection connection, int maxAttempts, Duration atMost) throws Exception {
        try (Channel channel = connection.createChannel()) {
            return watch(connection, channel, maxAttempts, atMost);
        }
    }

    private static Watched watch(Connection connection, Channel channel, int maxAttempts, Duration atMost)
            throws Exception {
        TOPOLOGY.delete(channel);
        TOPOLOGY.declare(channel, Map.of());
        channel.confirmSelect();
        for (int order = 1; order <= ORDERS; order++) {
            channel.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    ("order-" + order).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());

        Channel consuming = connection.createChannel();
        consuming.basicQos(PREFETCH);
        RetryingConsumer consumer = new RetryingConsumer(consuming, POISON,
                WorkerRetryPolicy.faster(maxAttempts, SPEED_UP));
        long started = System.nanoTime();
        consuming.basicConsume(QUEUE, false, consumer);
        long deadline = started + atMost.toNanos();
        while (System.nanoTime() < deadline && !(consumer.done.get() == ORDERS - 1 && consumer.parkedAfter != null)) {
            Thread.sleep(10);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        int deadLettered = consumer.parkedAfter == null ? Ready.in(channel, DLQ) : Ready.awaitIn(channel, DLQ, 1);
        int waiting = Ready.in(channel, QUEUE);
        int done = consumer.done.get();
        // Neither done nor parked nor waiting in the queue: delivered to the consumer and not acknowledged.
        int inPrefetch = ORDERS - done - deadLettered - waiting - (consumer.parkedAfter == null ? 1 : 0);
        consumer.stop();
        consuming.close();

        System.out.printf("   %s: %d attempts in %s%n", POISON, consumer.attempts.get(), consumer.parkedAfter == null
                ? "%.1f s, still retrying".formatted(seconds)
                : "%.1f s, then rejected to the DLQ".formatted(consumer.parkedAfter.toMillis() / 1000.0));
        System.out.printf("   the other %d: %d done, %d held in the consumer's prefetch, %d waiting in the queue;"
                + " %d in the DLQ%n", ORDERS - 1, done, inPrefetch, waiting, deadLettered);
        return new Watched(done, deadLettered, inPrefetch, waiting);
    }

    /** How long the policy's waits add up to until it gives up, on average (its jitter is random). */
    private static Duration meanHold(int maxAttempts) {
        RetryPolicy policy = WorkerRetryPolicy.of(maxAttempts, WorkerRetryPolicy.DELAY, WorkerRetryPolicy.MAX_DELAY,
                WorkerRetryPolicy.JITTER);
        long total = 0;
        for (int run = 0; run < 1_000; run++) {
            BackOffExecution waits = policy.getBackOff().start();
            for (long wait = waits.nextBackOff(); wait != BackOffExecution.STOP; wait = waits.nextBackOff()) {
                total += wait;
            }
        }
        return Duration.ofMillis(total / 1_000);
    }
}
