package dev.flashsale.order.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The outbox rows on their way to the broker, from the moment one is taken until it is marked published: the
 * bookkeeping that keeps the after-commit publisher and the relay from sending a row twice at once. A row is
 * <ol>
 * <li><em>taken</em>, by the after-commit publisher for its sender thread ({@link #takeForSender}), or by the relay
 * ({@link #claimForRelay}); never by both, and never twice;</li>
 * <li><em>sent</em> ({@link #sent}): from then on its confirm timeout runs;</li>
 * <li><em>confirmed</em> by the broker ({@link #confirmed}): it waits for the next batch mark;</li>
 * <li><em>marked</em> published ({@link #markConfirmed}): it is no longer on its way, once the mark has committed.</li>
 * </ol>
 * A row that does not get there (nacked, returned, never sent) or that the relay finds published after all is
 * <em>let go</em> ({@link #letGo}): the relay may take it again.
 *
 * <p>Memory only, and per process: a row taken by a process that dies is simply unpublished in the table, and sent by
 * the relay (of this instance after a restart, or of the instance that adopts it, {@link OutboxLease}).
 */
class RowsOnTheirWay {

    /** The most confirmed rows one mark takes: one {@code UPDATE ... WHERE id IN (...)} of bounded size. */
    static final int MARK_BATCH = 5000;

    /** For a row taken for the sender thread, whose send is still to come. */
    private static final long NOT_YET_SENT = Long.MIN_VALUE;

    /** Each row on its way: when it was sent ({@link #nanoTime}), or {@link #NOT_YET_SENT}. */
    private final Map<Long, Long> onTheirWay = new ConcurrentHashMap<>();

    /** Rows the broker confirmed, waiting for the next batch mark. */
    private final Queue<Long> confirmed = new ConcurrentLinkedQueue<>();

    private final long confirmTimeoutNanos;
    private final LongSupplier nanoTime;

    /**
     * @param confirmTimeout how long a sent row may wait for its confirm before the relay may take it again
     * @param nanoTime the clock, {@link System#nanoTime()} but in tests
     */
    RowsOnTheirWay(Duration confirmTimeout, LongSupplier nanoTime) {
        this.confirmTimeoutNanos = confirmTimeout.toNanos();
        this.nanoTime = nanoTime;
    }

    /** Takes a row just committed for the sender thread; false if it is on its way already. */
    boolean takeForSender(long id) {
        return onTheirWay.putIfAbsent(id, NOT_YET_SENT) == null;
    }

    /**
     * Takes a row for the relay, unless it is on its way. A row that waits for the sender thread is never taken: its
     * send is still to come, however late (a sender held up at a cold start, a broker slow to take a batch). A row sent
     * longer ago than the confirm timeout is taken over: its confirm is not coming.
     */
    boolean claimForRelay(long id) {
        long now = nanoTime.getAsLong();
        Long sentAt = onTheirWay.putIfAbsent(id, now);
        return sentAt == null
                || (sentAt != NOT_YET_SENT && now - sentAt > confirmTimeoutNanos && onTheirWay.replace(id, sentAt, now));
    }

    /** The row is being sent: its confirm timeout starts now. */
    void sent(long id) {
        onTheirWay.put(id, nanoTime.getAsLong());
    }

    /** The broker took the row; it stays on its way until its mark has committed. */
    void confirmed(long id) {
        confirmed.add(id);
    }

    /** The row did not get there, or was published already: no longer on its way, so the relay may take it. */
    void letGo(long id) {
        onTheirWay.remove(id);
    }

    /**
     * Marks confirmed rows published, up to {@link #MARK_BATCH}: {@code mark} writes them, in one transaction. Only once
     * it has returned are they no longer on their way, so that a relay that found one unpublished a moment before finds
     * it taken, or published (OutboxRelay takes a second look). If it throws, they wait for the next mark, and the
     * exception is thrown on.
     *
     * @return how many rows were marked
     */
    int markConfirmed(Consumer<List<Long>> mark) {
        List<Long> ids = new ArrayList<>();
        for (Long id; ids.size() < MARK_BATCH && (id = confirmed.poll()) != null; ) {
            ids.add(id);
        }
        if (ids.isEmpty()) {
            return 0;
        }
        try {
            mark.accept(ids);
        }
        catch (RuntimeException ex) {
            confirmed.addAll(ids);
            throw ex;
        }
        ids.forEach(onTheirWay::remove);
        return ids.size();
    }
}
