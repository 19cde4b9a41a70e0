package dev.flashsale.worker;

import java.time.Clock;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Deletes dedup rows older than the retention, so the table does not grow forever. */
public final class DedupPurger {

    private static final Logger log = LoggerFactory.getLogger(DedupPurger.class);

    private final ProcessedOrderRepository processedOrders;
    private final Duration retention;
    private final Clock clock;

    DedupPurger(ProcessedOrderRepository processedOrders, Duration retention, Clock clock) {
        this.processedOrders = processedOrders;
        this.retention = retention;
        this.clock = clock;
    }

    /** Deletes the rows of orders applied longer ago than the retention; returns how many. */
    public int purge() {
        int deleted = processedOrders.deleteProcessedBefore(clock.instant().minus(retention));
        if (deleted > 0) {
            log.info("Purged {} dedup row(s) older than {}", deleted, retention);
        }
        return deleted;
    }
}
