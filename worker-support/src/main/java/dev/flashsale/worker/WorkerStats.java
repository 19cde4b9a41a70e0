package dev.flashsale.worker;

import java.util.Map;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

/**
 * The worker's counters, kept as Micrometer metrics (so they show on {@code /actuator/prometheus})
 * and summed up for {@code GET /api/stats}. They count since the process started.
 */
public final class WorkerStats {

    static final String PROCESSED = "flashsale.worker.processed";
    static final String DUPLICATES = "flashsale.worker.duplicates.skipped";
    static final String RETRIES = "flashsale.worker.retries";
    static final String DEAD_LETTERED = "flashsale.worker.dead.lettered";
    static final String OUTCOMES = "flashsale.worker.outcomes";

    private final MeterRegistry registry;
    private final String queue;
    private final Counter processed;
    private final Counter duplicates;
    private final Counter retries;
    private final Counter deadLettered;

    WorkerStats(MeterRegistry registry, String queue) {
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
    }

    void processed(String outcome) {
        processed.increment();
        Counter.builder(OUTCOMES).description("Orders applied, by business outcome")
                .tag("queue", queue).tag("outcome", outcome).register(registry).increment();
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

    /** A snapshot for {@code GET /api/stats}. */
    public Snapshot snapshot() {
        Map<String, Long> outcomes = new TreeMap<>();
        Search.in(registry).name(OUTCOMES).tag("queue", queue).counters()
                .forEach(counter -> outcomes.put(counter.getId().getTag("outcome"), (long) counter.count()));
        return new Snapshot(queue, (long) processed.count(), (long) duplicates.count(), (long) retries.count(),
                (long) deadLettered.count(), outcomes);
    }

    /**
     * The counters at one moment.
     *
     * @param queue the queue this worker consumes
     * @param processed orders applied
     * @param duplicatesSkipped deliveries of an already applied order, skipped
     * @param retries attempts after a failed attempt
     * @param deadLettered messages this worker sent to its DLQ
     * @param outcomes orders applied, by business outcome
     */
    public record Snapshot(String queue, long processed, long duplicatesSkipped, long retries, long deadLettered,
            Map<String, Long> outcomes) {
    }
}
