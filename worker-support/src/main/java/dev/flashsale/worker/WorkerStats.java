package dev.flashsale.worker;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.search.Search;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.DataAccessException;

/**
 * The worker's counters, kept as Micrometer metrics (so they show on {@code /actuator/prometheus})
 * and summed up for {@code GET /api/stats}. They count since the process started; the number of dead letters
 * parked is read from the {@code dead_letter} table each time. Every process of the worker writes its own to the
 * registry of instances ({@link WorkerInstances}), from which {@code GET /api/stats} adds every instance and the sum.
 *
 * <p>The meters are registered here, when the worker starts, so that each is on the first scrape, at 0, before the
 * first order: a rate or an alert over a series that appears only with the first order reads "no data" until then.
 * Only the outcomes come with their first order, since their names are the worker's to choose as they come.
 */
public final class WorkerStats {

    static final String PROCESSED = "flashsale.worker.processed";
    static final String DUPLICATES = "flashsale.worker.duplicates.skipped";
    static final String RETRIES = "flashsale.worker.retries";
    static final String DEAD_LETTERED = "flashsale.worker.dead.lettered";
    static final String OUTCOMES = "flashsale.worker.outcomes";
    static final String DEAD_LETTERS_PARKED = "flashsale.worker.dead.letters.parked";
    static final String BATCH_SIZE = "flashsale.worker.batch.size";
    static final String CONSUMING = "flashsale.worker.consuming";
    static final String CONSUMERS = "flashsale.worker.consumers";
    static final String END_TO_END = "flashsale.worker.end.to.end";
    static final String MAX_RATE = "flashsale.worker.max.rate";

    private static final Logger log = LoggerFactory.getLogger(WorkerStats.class);

    private final MeterRegistry registry;
    private final String queue;
    private final Counter processed;
    private final Counter duplicates;
    private final Counter retries;
    private final Counter deadLettered;
    private final DistributionSummary batchSize;
    private final Timer endToEnd;
    private final @Nullable LongSupplier deadLettersParked;
    private final BooleanSupplier consuming;
    private final IntSupplier consumers;
    private final Supplier<@Nullable Integer> maxRate;
    private final Map<String, LongSupplier> workerCounts = new ConcurrentSkipListMap<>();

    WorkerStats(MeterRegistry registry, String queue, @Nullable LongSupplier deadLettersParked, BooleanSupplier consuming,
            IntSupplier consumers, Supplier<@Nullable Integer> maxRate) {
        this.registry = registry;
        this.queue = queue;
        this.processed = Counter.builder(PROCESSED).description("Orders applied (first delivery of each order)")
                .tag("queue", queue).register(registry);
        this.duplicates = Counter.builder(DUPLICATES).description("Deliveries of an order already applied, acknowledged and skipped")
                .tag("queue", queue).register(registry);
        this.retries = Counter.builder(RETRIES).description("Attempts after a failed one")
                .tag("queue", queue).register(registry);
        this.deadLettered = Counter.builder(DEAD_LETTERED).description("Messages sent to the dead-letter queue by this worker")
                .tag("queue", queue).register(registry);
        this.batchSize = DistributionSummary.builder(BATCH_SIZE).description("Orders applied together in one transaction")
                .tag("queue", queue).register(registry);
        this.endToEnd = Timer.builder(END_TO_END)
                .description("From the order's checkout (occurredAt in its event) to this worker's commit of it, once per order applied")
                .tag("queue", queue)
                // Buckets for Prometheus (histogram_quantile over every instance), from 1 ms to 10 min: a flash sale's
                // backlog drains in minutes; an order replayed from the dead letters hours later counts in +Inf.
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        this.deadLettersParked = deadLettersParked;
        this.consuming = consuming;
        this.consumers = consumers;
        this.maxRate = maxRate;
        registerGauges();
    }

    /** The gauges, read at each scrape: the parked dead letters, consumption, consumers and the rate cap. */
    private void registerGauges() {
        Gauge.builder(DEAD_LETTERS_PARKED, () -> {
            Long parked = parked();
            return parked == null ? Double.NaN : parked;
        }).description("Dead letters parked in the dead_letter table, waiting for an admin to replay or discard them")
                .tag("queue", queue).register(registry);
        Gauge.builder(CONSUMING, () -> consuming.getAsBoolean() ? 1 : 0)
                .description("1 while the worker takes messages from its queue, 0 while an admin has stopped it")
                .tag("queue", queue).register(registry);
        Gauge.builder(CONSUMERS, consumers::getAsInt)
                .description("Consumers this process has on its queue now, its express queue's included: 0 while stopped")
                .tag("queue", queue).register(registry);
        Gauge.builder(MAX_RATE, () -> {
            Integer cap = maxRate.get();
            return cap == null ? Double.NaN : cap;
        }).description("The rate cap, in messages a second: the most the worker applies; NaN while there is none")
                .tag("queue", queue).register(registry);
    }

    /**
     * Counts an order applied, once its transaction has committed.
     *
     * @param outcome its business outcome
     * @param endToEnd from its checkout to this commit
     */
    void processed(String outcome, Duration endToEnd) {
        processed.increment();
        // A worker whose clock is behind the order-service's measures a negative delay, which a timer drops: counted as
        // 0 instead, so that the timer counts every order applied, as the processed counter does.
        this.endToEnd.record(endToEnd.isNegative() ? Duration.ZERO : endToEnd);
        Counter.builder(OUTCOMES).description("Orders applied, by business outcome")
                .tag("queue", queue).tag("outcome", outcome).register(registry).increment();
    }

    void batchCommitted(int orders) {
        batchSize.record(orders);
    }

    /** The largest batch committed so far. */
    double largestBatch() {
        return batchSize.max();
    }

    void duplicateSkipped() {
        duplicates.increment();
    }

    void retried() {
        retries.increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }

    /**
     * Shows a count of this worker's own in {@code GET /api/stats}, under {@code workerCounts}, beside the counts every
     * worker keeps (e.g. the email worker's unanswered SMTP sends). Its metric is the worker's to register.
     */
    public void show(String name, LongSupplier count) {
        workerCounts.put(name, count);
    }

    /** A snapshot for {@code GET /api/stats}. */
    public Snapshot snapshot() {
        return new Snapshot(queue, (long) processed.count(), (long) duplicates.count(), (long) retries.count(),
                (long) deadLettered.count(), parked(), outcomes(), consuming.getAsBoolean(), maxRate.get(), ownCounts(), null, List.of(),
                null);
    }

    /**
     * This process's counters as the registry of instances keeps them ({@link WorkerInstances}): without the parked dead
     * letters, which are the database's (and would cost a count every heartbeat).
     */
    WorkerInstances.Figures figures() {
        return new WorkerInstances.Figures((long) processed.count(), (long) duplicates.count(), (long) retries.count(),
                (long) deadLettered.count(), outcomes(), consuming.getAsBoolean(), consumers.getAsInt(), maxRate.get(), ownCounts());
    }

    private Map<String, Long> outcomes() {
        Map<String, Long> outcomes = new TreeMap<>();
        Search.in(registry).name(OUTCOMES).tag("queue", queue).counters()
                .forEach(counter -> outcomes.put(counter.getId().getTag("outcome"), (long) counter.count()));
        return outcomes;
    }

    private Map<String, Long> ownCounts() {
        Map<String, Long> own = new TreeMap<>();
        workerCounts.forEach((name, count) -> own.put(name, count.getAsLong()));
        return own;
    }

    /** The parked dead letters, or null while the database does not answer: the counters are still worth showing. */
    private @Nullable Long parked() {
        if (deadLettersParked == null) {
            return null;
        }
        try {
            return deadLettersParked.getAsLong();
        }
        catch (DataAccessException ex) {
            log.debug("Cannot count the parked dead letters: {}", ex.toString());
            return null;
        }
    }

    /**
     * The counters at one moment.
     *
     * @param queue the queue this worker consumes
     * @param processed orders applied
     * @param duplicatesSkipped deliveries of an already applied order, skipped
     * @param retries attempts after a failed attempt
     * @param deadLettered messages this worker sent to its DLQ
     * @param deadLettersParked dead letters in the {@code dead_letter} table now, waiting for an admin (whoever
     *        dead-lettered them, the worker or the broker); null while the database does not answer
     * @param outcomes orders applied, by business outcome
     * @param consuming whether the worker takes messages from its queue (an admin can stop it)
     * @param maxRatePerSecond the rate cap in messages a second ({@link RateCap}), null while there is none
     * @param workerCounts counts of this worker's own kind of work, by name (see {@link #show})
     * @param instance this process's name among the worker's processes; null where the snapshot was taken without the
     *        registry
     * @param instances every live process of this worker that shares its database, this one included, each with its
     *        counters as of its last heartbeat (a few seconds old); empty while the database does not answer
     * @param total their sum; null while the database does not answer
     */
    public record Snapshot(String queue, long processed, long duplicatesSkipped, long retries, long deadLettered,
            @Nullable Long deadLettersParked, Map<String, Long> outcomes, boolean consuming, @Nullable Integer maxRatePerSecond,
            Map<String, Long> workerCounts, @Nullable String instance, List<WorkerInstances.Instance> instances,
            WorkerInstances.@Nullable Total total) {

        /** This snapshot, with the registry's view of every instance. */
        Snapshot withInstances(String instance, List<WorkerInstances.Instance> instances, WorkerInstances.@Nullable Total total) {
            return new Snapshot(queue, processed, duplicatesSkipped, retries, deadLettered, deadLettersParked, outcomes, consuming,
                    maxRatePerSecond, workerCounts, instance, instances, total);
        }
    }
}
