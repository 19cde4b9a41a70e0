package dev.flashsale.worker;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes dedup rows older than the retention, so the table does not grow forever.
 *
 * <p>Every process of the worker schedules the purge, and one of them runs it each interval ({@link #purgeIfDue}): the
 * {@code worker_task} row decides which. Two processes deleting the same rows at once would be correct (the second
 * waits for the first's row locks and then finds nothing), but each would scan and lock the same expired rows, a large
 * delete twice over, and on PostgreSQL two large deletes that lock rows in a different order can deadlock.
 */
public final class DedupPurger {

    private static final Logger log = LoggerFactory.getLogger(DedupPurger.class);

    private final ProcessedOrderRepository processedOrders;
    private final WorkerTasks tasks;
    private final Duration retention;
    private final Duration interval;
    private final String instance;
    private final Clock clock;

    DedupPurger(ProcessedOrderRepository processedOrders, WorkerTasks tasks, Duration retention, Duration interval, String instance,
            Clock clock) {
        this.processedOrders = processedOrders;
        this.tasks = tasks;
        this.retention = retention;
        this.interval = interval;
        this.instance = instance;
        this.clock = clock;
    }

    /**
     * What the schedule calls in every process: purges if no process of this worker has purged within the interval.
     *
     * @return how many rows were deleted, or -1 if another process's purge was recent enough
     */
    public int purgeIfDue() {
        if (!tasks.claimIfDue(WorkerTasks.DEDUP_PURGE, interval, instance)) {
            log.debug("Dedup purge not due: another process of this worker ran it less than {} ago", interval);
            return -1;
        }
        return purge();
    }

    /** Deletes the rows of orders applied longer ago than the retention, now, due or not; returns how many. */
    public int purge() {
        int deleted = processedOrders.deleteProcessedBefore(clock.instant().minus(retention));
        if (deleted > 0) {
            log.info("Purged {} dedup row(s) older than {}", deleted, retention);
        }
        return deleted;
    }
}
