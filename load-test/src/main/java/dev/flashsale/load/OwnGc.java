package dev.flashsale.load;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAccumulator;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;

import com.sun.management.GarbageCollectionNotificationInfo;

/**
 * The pauses of this JVM's own garbage collector: the load generator's and the SMTP sink's. A load generator that
 * stops for its collector timestamps the answers that arrive meanwhile late, and its pauses land in the checkout's
 * measured latency; the report gives them beside the services' so that this can be seen.
 *
 * <p>Counts every collection the JVM reports as a pause (not the concurrent cycles of G1 or ZGC), from the JVM's
 * notifications, which carry each one's duration.
 */
final class OwnGc {

    private static final AtomicLong COUNT = new AtomicLong();
    private static final AtomicLong TOTAL_MILLIS = new AtomicLong();
    private static final LongAccumulator MAX_MILLIS = new LongAccumulator(Math::max, 0);

    static {
        for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (collector instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener((notification, handback) -> {
                    if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
                        GarbageCollectionNotificationInfo info = GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
                        if (!info.getGcAction().contains("concurrent") && !info.getGcName().contains("Cycles")) {
                            long millis = info.getGcInfo().getDuration();
                            COUNT.incrementAndGet();
                            TOTAL_MILLIS.addAndGet(millis);
                            MAX_MILLIS.accumulate(millis);
                        }
                    }
                }, null, null);
            }
        }
    }

    private OwnGc() {
    }

    /** Pauses since the benchmark started: their count and their total in seconds. */
    static ProcessCosts.Counted pauses() {
        return new ProcessCosts.Counted(COUNT.get(), TOTAL_MILLIS.get() / 1000.0);
    }

    /** The longest pause since the previous call, in seconds: read at a stream's start and at its end, the stream's. */
    static double longestSinceLastRead() {
        return MAX_MILLIS.getThenReset() / 1000.0;
    }
}
