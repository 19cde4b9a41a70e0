package dev.flashsale.worker;

import java.time.Duration;
import java.util.List;

import org.jspecify.annotations.Nullable;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of a worker's pipeline: its queue, how it retries, how long it remembers processed orders, and its fault
 * knobs. (The dead letters' settings, {@code flashsale.worker.dead-letters.*}, belong to the dead-letters module.)
 *
 * <p>Prefetch, concurrency and the acknowledgement mode are Spring Boot's own
 * {@code spring.rabbitmq.listener.simple.*} settings; {@link WorkerDefaults} gives them the workers' defaults.
 *
 * @param queue the work queue this worker consumes, one of {@code Topology.WORK_QUEUES}
 * @param retry how a failed message is retried before it is dead-lettered
 * @param dedup how long processed order ids are kept
 * @param faults simulated failures and latency for demos, changeable at run time
 * @param batch how many deliveries are applied in one transaction
 * @param maxRate the most messages a second the worker applies ({@link RateCap}); none by default, an admin changes it at
 *        run time
 * @param instances how the processes of the worker find each other in its database ({@link WorkerInstances})
 * @param consumers how the work queue's consumers follow its backlog, between Boot's {@code concurrency} and
 *        {@code max-concurrency}
 */
@ConfigurationProperties("flashsale.worker")
public record WorkerProperties(
        String queue,
        @DefaultValue Retry retry,
        @DefaultValue Dedup dedup,
        @DefaultValue Faults faults,
        @DefaultValue Batch batch,
        @Nullable Integer maxRate,
        @DefaultValue Instances instances,
        @DefaultValue Consumers consumers) {

    /**
     * How the work queue's consumers follow its backlog, within one process. Spring AMQP's simple container does it:
     * a consumer whose receives keep bringing messages (a batch each, here) asks for another one, one whose receives
     * keep coming back empty (a 5 ms wait each: the batch's max-wait) asks to stop, and the container adds at most one
     * consumer per {@code start-interval} and removes at most one per {@code stop-interval}. The bounds are Boot's
     * {@code spring.rabbitmq.listener.simple.concurrency} (2) and {@code max-concurrency} (8), {@link WorkerDefaults}.
     * The express queue's container keeps {@code concurrency} consumers: it has no backlog to follow.
     *
     * <p>Why these figures (docs/decisions.md, "Consumers follow the backlog"): up quickly, from 2 to 8 in about 20 s
     * while a flash sale's backlog builds, since a consumer that waits on a downstream call costs a thread and a
     * connection from the pool, not CPU; down slowly, one every 30 s, so that a backlog that comes in waves does not
     * stop and start consumers (each start is a channel and a basic.consume) with every wave.
     *
     * @param startInterval the least time between two consumers added
     * @param stopInterval the least time between two consumers stopped
     * @param activeTrigger consecutive receives with messages (batches) after which a consumer asks for another
     * @param idleTrigger consecutive empty receives after which a consumer above the minimum asks to stop. A receive
     *        waits the batch's max-wait (5 ms), so Spring AMQP's default of 10 is 50 ms without a message: a consumer
     *        between two prefetches of a long backlog looks idle that long, and the test saw one stopped while
     *        thousands of messages were ready. 200 is a second without one.
     */
    public record Consumers(
            @DefaultValue("3s") Duration startInterval,
            @DefaultValue("30s") Duration stopInterval,
            @DefaultValue("10") int activeTrigger,
            @DefaultValue("200") int idleTrigger) {
    }

    /**
     * The registry of the worker's processes ({@link WorkerInstances}).
     *
     * @param heartbeatInterval how often each process writes its counters and the time: how stale the figures of the
     *        other processes in {@code GET /api/stats} can be
     * @param liveWithin how recent a heartbeat must be for its process to count as live: three heartbeats, so that one
     *        late write (a pause, a slow database) does not drop a process that is still there, and a killed process
     *        stops counting within that
     */
    public record Instances(
            @DefaultValue("5s") Duration heartbeatInterval,
            @DefaultValue("15s") Duration liveWithin) {

        public Instances {
            if (liveWithin.compareTo(heartbeatInterval) <= 0) {
                throw new IllegalArgumentException("flashsale.worker.instances.live-within must be longer than the heartbeat interval");
            }
        }
    }

    /**
     * Exponential backoff with jitter, in the listener, before the message is dead-lettered.
     *
     * @param initialInterval the delay before the first retry
     * @param multiplier how much each delay grows over the one before
     * @param maxInterval the longest delay between two attempts
     * @param maxAttempts attempts in all, the first one included
     * @param jitter the random spread around the first delay, scaled with the delay for later ones
     * @param notRetryable exception types that can never succeed, dead-lettered at the first failure
     *        (besides malformed, unknown or invalid events, which always are)
     * @param deadLetterConfirmTimeout how long to wait for the broker to confirm a dead letter before
     *        the message is handed back to the queue instead
     */
    public record Retry(
            @DefaultValue("1s") Duration initialInterval,
            @DefaultValue("2") double multiplier,
            @DefaultValue("30s") Duration maxInterval,
            @DefaultValue("5") int maxAttempts,
            @DefaultValue("250ms") Duration jitter,
            @DefaultValue List<Class<? extends Throwable>> notRetryable,
            @DefaultValue("10s") Duration deadLetterConfirmTimeout) {
    }

    /**
     * The dedup table keeps one row per processed order for this long, then the purge deletes it.
     * It must be longer than any time a message can spend in a queue, a DLQ or a replay, or a late
     * redelivery of a purged order would be applied a second time.
     *
     * @param retention how long a processed order id is remembered
     * @param purgeInterval how often expired rows are deleted
     */
    public record Dedup(
            @DefaultValue("7d") Duration retention,
            @DefaultValue("1h") Duration purgeInterval) {
    }

    /**
     * Fault knobs for demos; the admin endpoint changes them at run time.
     *
     * @param failureRate share of attempts (0 to 1) that fail as if a downstream call had failed: retried
     * @param latency time added to each attempt, as if the work were slow
     * @param crashRate share of deliveries (0 to 1) that end as if the consumer had died holding them:
     *        handed back to the queue with no retry and no dead letter, so only the broker's delivery
     *        limit can stop them
     */
    public record Faults(
            @DefaultValue("0") double failureRate,
            @DefaultValue("0ms") Duration latency,
            @DefaultValue("0") double crashRate) {
    }

    /**
     * Deliveries applied together, in one transaction and with one acknowledgement (see {@code OrderPlacedConsumer}).
     *
     * @param size the most deliveries in a batch; 1 applies each order in a transaction of its own
     * @param maxWait how long the consumer waits for the next delivery before it applies the batch it has
     */
    public record Batch(
            @DefaultValue("50") int size,
            @DefaultValue("5ms") Duration maxWait) {

        public Batch {
            if (size < 1) {
                throw new IllegalArgumentException("flashsale.worker.batch.size must be at least 1");
            }
        }
    }
}
