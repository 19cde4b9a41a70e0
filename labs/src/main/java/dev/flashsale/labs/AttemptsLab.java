package dev.flashsale.labs;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Max attempts: a message that can never succeed, retried in the listener as the workers retry (Spring's
 * {@link RetryTemplate}, the thread waits between attempts), is parked after the workers' 5 attempts; with 1000 it
 * holds its consumer, and every message in the consumer's prefetch and in the queue behind it waits.
 * {@link AttemptsReport} tells it.
 */
final class AttemptsLab implements Lab {

    private static final DeadLetterTopology TOPOLOGY =
            new DeadLetterTopology("lab.attempts.orders", "lab.attempts.dlx");
    static final String QUEUE = TOPOLOGY.queue();
    static final String DLQ = TOPOLOGY.dlq();
    static final String POISON = "order-1";
    static final int ORDERS = 21;
    static final int PREFETCH = 10;

    /** The workers' waits, this many times shorter: the lab's seconds stand for the workers' minutes. */
    static final int SPEED_UP = 40;

    /** The limit far too high, that holds a message that never succeeds instead of parking it. */
    static final int TOO_MANY_ATTEMPTS = 1_000;

    /** How long the lab watches the consumer with 1000 attempts before it stops it. */
    private static final Duration WATCH = Duration.ofMillis(1_500);

    /**
     * @param parked       the run with the workers' 5 attempts
     * @param held         the run with 1000
     * @param parkedAfter  at the workers' own pace, how long 5 attempts hold a message, on average
     * @param heldFor      and how long 1000 hold it
     */
    record Findings(Watched parked, Watched held, Duration parkedAfter, Duration heldFor) {
    }

    /**
     * What one run showed when the lab stopped watching: the poison order's attempts, and for how long it was tried
     * ({@code parkedAfter} when it was rejected to the DLQ, else {@code watched}); where the others were.
     */
    record Watched(int attempts, Duration parkedAfter, Duration watched, int done, int deadLettered, int inPrefetch,
            int waiting) {
    }

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
        AttemptsReport.of(measure()).print();
    }

    private Findings measure() throws Exception {
        try (Connection connection = RabbitConnector.connect(name())) {
            try {
                // Given the lab's whole patience: it ends as soon as all is settled, a few tenths of a second.
                Watched parked = watch(connection, WorkerRetryPolicy.MAX_ATTEMPTS, Inbox.PATIENCE);
                Watched held = watch(connection, TOO_MANY_ATTEMPTS, WATCH);
                return new Findings(parked, held, meanHold(WorkerRetryPolicy.MAX_ATTEMPTS),
                        meanHold(TOO_MANY_ATTEMPTS));
            }
            finally {
                TOPOLOGY.delete(connection.createChannel());
            }
        }
    }

    /** 21 orders into a fresh queue, one retrying consumer, until all is settled or {@code atMost} is over. */
    private static Watched watch(Connection connection, int maxAttempts, Duration atMost) throws Exception {
        try (Channel channel = connection.createChannel()) {
            TOPOLOGY.delete(channel);
            TOPOLOGY.declare(channel, Map.of());
            publish(channel);
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
            Duration watched = Duration.ofNanos(System.nanoTime() - started);
            int deadLettered = consumer.parkedAfter == null ? Ready.in(channel, DLQ) : Ready.awaitIn(channel, DLQ, 1);
            int waiting = Ready.in(channel, QUEUE);
            int done = consumer.done.get();
            // Neither done nor parked nor waiting in the queue: delivered to the consumer and not acknowledged.
            int inPrefetch = ORDERS - done - deadLettered - waiting - (consumer.parkedAfter == null ? 1 : 0);
            consumer.stop();
            consuming.close();
            return new Watched(consumer.attempts.get(), consumer.parkedAfter, watched, done, deadLettered, inPrefetch,
                    waiting);
        }
    }

    private static void publish(Channel channel) throws Exception {
        channel.confirmSelect();
        for (int order = 1; order <= ORDERS; order++) {
            channel.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    ("order-" + order).getBytes(StandardCharsets.UTF_8));
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
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
