package dev.flashsale.worker;

import dev.flashsale.events.InstanceId;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The registry of this worker's processes, in the {@code worker_instance} table of the database they share: each
 * process writes its counters there every {@code heartbeat-interval} ({@link #heartbeat}), and {@code GET /api/stats}
 * reads every live one back and sums them up ({@link #live}), so that whichever process is asked shows them all.
 *
 * <p>Live means a heartbeat within {@code live-within}, in database time. A process that stops gracefully deletes its
 * row ({@link #destroy}); one that is killed stops writing and is no longer live after that bound, and its row is
 * deleted by whichever process writes a heartbeat after ten such bounds. A process whose row was deleted while it was
 * only slow (a database outage longer than that) writes it again with its next heartbeat.
 */
public final class WorkerInstances implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(WorkerInstances.class);

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final InstanceId id;
    private final Supplier<Figures> figures;
    private final Duration liveWithin;
    private volatile boolean left;

    WorkerInstances(JdbcClient jdbc, JsonMapper json, InstanceId id, Supplier<Figures> figures, Duration liveWithin) {
        this.jdbc = jdbc;
        this.json = json;
        this.id = id;
        this.figures = figures;
        this.liveWithin = liveWithin;
    }

    /** This process's name among the worker's processes. */
    public InstanceId id() {
        return id;
    }

    /** Writes this process's counters and the time, creating its row if there is none (yet, or any more). */
    public void heartbeat() {
        if (left) {
            return;
        }
        try {
            String figuresNow = figuresJson();
            OffsetDateTime at = jdbc.sql("SELECT CURRENT_TIMESTAMP").query(OffsetDateTime.class).single();
            int updated = jdbc.sql("UPDATE worker_instance SET heartbeat_at = ?, figures = ? WHERE id = ?")
                    .params(at, figuresNow, id.value()).update();
            if (updated == 0) {
                jdbc.sql("INSERT INTO worker_instance (id, started_at, heartbeat_at, figures) VALUES (?, ?, ?, ?)")
                        .params(id.value(), at, at, figuresNow).update();
                log.info("Registered as instance {} of this worker", id);
            }
            jdbc.sql("DELETE FROM worker_instance WHERE heartbeat_at < ?").param(at.minus(liveWithin.multipliedBy(10))).update();
        }
        catch (DataAccessException ex) {
            // The next heartbeat tries again; meanwhile the others see this process age out, which is what it is to them.
            log.warn("Could not write this instance's heartbeat: {}", ex.toString());
        }
    }

    /** The live instances of this worker (this one among them once it has written a heartbeat), the oldest first. */
    public List<Instance> live() {
        return jdbc.sql("SELECT id, started_at, heartbeat_at, figures, CURRENT_TIMESTAMP AS now FROM worker_instance "
                        + "ORDER BY started_at, id")
                .query((rs, n) -> {
                    OffsetDateTime now = rs.getObject("now", OffsetDateTime.class);
                    OffsetDateTime heartbeat = rs.getObject("heartbeat_at", OffsetDateTime.class);
                    if (heartbeat.isBefore(now.minus(liveWithin))) {
                        return null;
                    }
                    return new Instance(rs.getString("id"), rs.getObject("started_at", OffsetDateTime.class).toInstant(),
                            heartbeat.toInstant(), json.readValue(rs.getString("figures"), Figures.class));
                })
                .list().stream().filter(Objects::nonNull).toList();
    }

    /** Graceful stop: the row goes at once, so the others stop counting this process without waiting for it to age out. */
    @Override
    public void destroy() {
        left = true;
        try {
            jdbc.sql("DELETE FROM worker_instance WHERE id = ?").param(id.value()).update();
            log.info("Instance {} left the registry", id);
        }
        catch (DataAccessException ex) {
            log.warn("Could not remove instance {} from the registry; it ages out: {}", id, ex.toString());
        }
    }

    private String figuresJson() {
        return json.writeValueAsString(figures.get());
    }

    /** The sum of the instances' counters. */
    public static Total total(List<Instance> instances) {
        long processed = 0;
        long duplicates = 0;
        long retries = 0;
        long deadLettered = 0;
        int consuming = 0;
        int consumers = 0;
        Map<String, Long> outcomes = new TreeMap<>();
        Map<String, Long> workerCounts = new TreeMap<>();
        for (Instance instance : instances) {
            Figures f = instance.figures();
            processed += f.processed();
            duplicates += f.duplicatesSkipped();
            retries += f.retries();
            deadLettered += f.deadLettered();
            consuming += f.consuming() ? 1 : 0;
            consumers += f.consumers();
            f.outcomes().forEach((name, count) -> outcomes.merge(name, count, Long::sum));
            f.workerCounts().forEach((name, count) -> workerCounts.merge(name, count, Long::sum));
        }
        return new Total(instances.size(), processed, duplicates, retries, deadLettered, outcomes, consuming, consumers, workerCounts);
    }

    /**
     * One process of the worker.
     *
     * @param id host, process id and a short random part
     * @param startedAt when it first registered (database time)
     * @param heartbeatAt when it last wrote its figures (database time)
     * @param figures its counters then
     */
    public record Instance(String id, Instant startedAt, Instant heartbeatAt, Figures figures) {
    }

    /**
     * One process's counters, since it started: those of {@link WorkerStats.Snapshot} that belong to a process (the
     * parked dead letters belong to the database, shared), and its consumers.
     *
     * @param processed orders applied
     * @param duplicatesSkipped deliveries of an already applied order, skipped
     * @param retries attempts after a failed attempt
     * @param deadLettered messages it sent to the DLQ
     * @param outcomes orders applied, by business outcome
     * @param consuming whether it takes messages from its queue
     * @param consumers its consumers on the work queue and the express queue
     * @param maxRatePerSecond its rate cap, null while there is none
     * @param workerCounts counts of the worker's own kind of work, by name
     */
    public record Figures(long processed, long duplicatesSkipped, long retries, long deadLettered, Map<String, Long> outcomes,
            boolean consuming, int consumers, @Nullable Integer maxRatePerSecond, Map<String, Long> workerCounts) {
    }

    /**
     * The sum over the live instances.
     *
     * @param instances how many are live
     * @param processed orders applied, by all of them
     * @param duplicatesSkipped duplicates skipped
     * @param retries retries
     * @param deadLettered messages sent to the DLQ
     * @param outcomes orders applied, by business outcome
     * @param consuming how many of them take messages from the queue
     * @param consumers their consumers, all together
     * @param workerCounts the worker's own counts, summed by name
     */
    public record Total(int instances, long processed, long duplicatesSkipped, long retries, long deadLettered,
            Map<String, Long> outcomes, int consuming, int consumers, Map<String, Long> workerCounts) {
    }
}
