package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Carries outbox rows to the broker right after their commit, at least once.
 *
 * <p>The rows of each commit are sent right after it, as one batch on one channel ({@link OutboxSender}), by a single
 * sender thread, so that the checkout's answer never waits for the broker (nor for a broker that is down). Confirmed
 * rows are marked published in batches; a row that is nacked, returned, never confirmed, or never sent (broker down,
 * process killed) stays unpublished and the {@link OutboxRelay} sends it again. Which row is where on its way is kept
 * in {@link RowsOnTheirWay}.
 *
 * <p>So a row can be sent twice (confirmed, then the process dies before the mark): consumers are idempotent by
 * order id, which turns at-least-once into effectively-once.
 */
@Component
class OutboxPublisher implements AfterCommitPublishing, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(OutboxPublisher.class);

    private final OutboxSender sender;
    private final RowsOnTheirWay rows;
    private final OutboxRepository repository;
    private final TransactionTemplate transaction;
    private final OutboxProperties properties;
    private final OutboxLease lease;

    /** Rows handed to the sender thread and not yet sent: bounded by {@code maxPending}. */
    private final AtomicInteger waiting = new AtomicInteger();

    private final ThreadPoolExecutor senderThread;

    OutboxPublisher(OutboxSender sender, RowsOnTheirWay rows, OutboxRepository repository, TransactionTemplate transaction,
            OutboxProperties properties, OutboxLease lease) {
        this.sender = sender;
        this.rows = rows;
        this.repository = repository;
        this.transaction = transaction;
        this.properties = properties;
        this.lease = lease;
        this.senderThread = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(),
                new CustomizableThreadFactory("outbox-sender-"));
    }

    /**
     * Hands the rows of a commit to the sender thread. Beyond {@code maxPending} rows waiting, the hand-off is
     * skipped, not the rows: they are in the database, and the relay publishes them. Memory stays bounded however
     * long the broker is away.
     */
    @Override
    public void publishCommitted(List<OutboxMessage> committed) {
        if (!properties.publishAfterCommit()) {
            return;
        }
        List<OutboxMessage> batch = new ArrayList<>(committed.size());
        for (OutboxMessage message : committed) {
            if (rows.takeForSender(message.id())) {
                batch.add(message);
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        if (waiting.addAndGet(batch.size()) > properties.maxPending()) {
            waiting.addAndGet(-batch.size());
            batch.forEach(message -> rows.letGo(message.id()));
            return;
        }
        senderThread.execute(() -> {
            waiting.addAndGet(-batch.size());
            sender.send(batch);
        });
    }

    /** Runs a task on the sender thread, after what it has to send already: for tests that need the sender busy. */
    void onSenderThread(Runnable task) {
        senderThread.execute(task);
    }

    /** Marks every confirmed row published, in one transaction. */
    void markConfirmed() {
        try {
            rows.markConfirmed(ids -> transaction.executeWithoutResult(status -> repository.markPublished(ids, Instant.now())));
        }
        catch (RuntimeException ex) {
            log.warn("Could not mark confirmed outbox rows as published, trying again: {}", ex.getMessage());
        }
    }

    @Override
    public void destroy() throws InterruptedException {
        senderThread.shutdown();
        senderThread.awaitTermination(5, TimeUnit.SECONDS);
        markConfirmed();
        // Last: what is still unpublished goes to the other instances now, not after the lease.
        try {
            lease.release();
        }
        catch (RuntimeException ex) {
            log.warn("Could not release this instance's outbox rows; the others take them after the lease: {}", ex.toString());
        }
    }
}
