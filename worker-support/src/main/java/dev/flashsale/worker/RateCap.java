package dev.flashsale.worker;

import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The most messages a second this worker applies, when its downstream (a database that takes N writes a second, a
 * provider's API quota) cannot take more: the consumers wait before each batch, the rest waits in the queue, and the
 * queue drains at the cap, in a straight line. Off by default; an admin changes it at run time.
 *
 * <p>This is smoothing, the other half of backpressure: the checkout keeps accepting orders at the spike's rate, the
 * queue absorbs the difference, and the downstream never sees more than it can take. It caps the rate of orders
 * applied; the broker still hands each consumer up to its prefetch, which waits unacknowledged in the worker.
 *
 * <p>A batch is let through when the time its predecessors paid for has passed, and it pays for its own messages: a
 * batch of 50 under a cap of 100 a second lets the next batch go half a second later. Time the worker spent idle is not
 * saved up for a burst afterwards. Changing the cap wakes the waiting consumers, so a cap taken off frees them at once.
 */
public final class RateCap {

    /** The highest cap: far above what a worker applies; a larger number is a typing error. */
    public static final int MAX_PER_SECOND = 1_000_000;

    private static final Logger log = LoggerFactory.getLogger(RateCap.class);

    private final LongSupplier nanoTime;

    /** Messages a second, null while uncapped. */
    private @Nullable Integer perSecond;

    /** When the messages let through so far have been paid for ({@link System#nanoTime()} scale). */
    private long paidUntil;

    RateCap(@Nullable Integer perSecond, LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.paidUntil = nanoTime.getAsLong();
        set(perSecond);
    }

    /** The cap in messages a second; null when there is none. */
    public synchronized @Nullable Integer perSecond() {
        return perSecond;
    }

    /**
     * Sets the cap, or takes it off with null. It counts from now: what was paid under the old cap is forgotten.
     *
     * @throws IllegalArgumentException outside 1 to {@link #MAX_PER_SECOND}; the cap stays as it was
     */
    public synchronized void set(@Nullable Integer perSecond) {
        if (perSecond != null && (perSecond < 1 || perSecond > MAX_PER_SECOND)) {
            throw new IllegalArgumentException("A rate cap is from 1 to " + MAX_PER_SECOND + " messages a second, not " + perSecond
                    + "; to take the cap off, delete it.");
        }
        this.perSecond = perSecond;
        this.paidUntil = nanoTime.getAsLong();
        notifyAll();
        if (perSecond != null) {
            log.info("Rate cap: at most {} messages a second; the rest waits in the queue", perSecond);
        }
    }

    /**
     * Waits until {@code messages} may be applied under the cap; returns at once when there is none.
     *
     * @throws IllegalStateException if the thread is interrupted meanwhile (the worker is stopping); the interrupt stays
     *         set, and the messages go back to the queue
     */
    void acquire(int messages) {
        synchronized (this) {
            for (long wait; (wait = tryAcquire(messages)) > 0; ) {
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, wait);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("Interrupted while waiting under the rate cap", ex);
                }
            }
        }
    }

    /**
     * Lets {@code messages} through and pays for them if the time paid so far has passed; otherwise says how long is
     * left to wait, in nanoseconds, and takes nothing.
     */
    synchronized long tryAcquire(int messages) {
        if (perSecond == null) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        if (paidUntil - now > 0) {
            return paidUntil - now;
        }
        paidUntil = now + messages * (TimeUnit.SECONDS.toNanos(1) / perSecond);
        return 0;
    }
}
