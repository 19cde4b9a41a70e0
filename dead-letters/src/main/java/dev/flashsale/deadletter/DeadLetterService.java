package dev.flashsale.deadletter;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.transaction.support.TransactionTemplate;

/**
 * What an admin does with the dead letters parked in the {@code dead_letter} table: list them, group them by failure,
 * replay one, a group or all of them to this worker's queue, and discard one.
 *
 * <p>A replay locks its rows, publishes each message and waits for the broker's confirm, and deletes the rows in the
 * same transaction only after that: a replay that the broker does not take leaves its rows where they were, and a
 * crash between the confirm and the commit leaves the row too, so the message can be replayed twice (the dedup table
 * absorbs it) but is never lost. A discard deletes the row under the same lock, so one row is never both replayed and
 * discarded: whoever comes second finds no row.
 */
public final class DeadLetterService {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterService.class);

    private final DeadLetterRepository repository;
    private final ReplayPublisher publisher;
    private final TransactionTemplate transaction;
    private final int batchSize;

    DeadLetterService(DeadLetterRepository repository, ReplayPublisher publisher, TransactionTemplate transaction, int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("flashsale.worker.dead-letters.replay-batch-size must be at least 1");
        }
        this.repository = repository;
        this.publisher = publisher;
        this.transaction = transaction;
        this.batchSize = batchSize;
    }

    /** How many dead letters are parked. */
    public long parked() {
        return repository.count();
    }

    /** The newest dead letters first, without their stack traces and headers; of one group if {@code group} is given. */
    public List<DeadLetter> newest(int limit, @Nullable String group) {
        return repository.newest(limit, group);
    }

    /** One dead letter in full. */
    public Optional<DeadLetter> find(long id) {
        return repository.find(id);
    }

    /** The dead letters grouped by failure, the largest group first. */
    public List<DeadLetterGroup> groups() {
        return repository.groups();
    }

    /**
     * Replays one dead letter to this worker's queue and removes it from the table once the broker has confirmed it.
     *
     * @throws DeadLetterNotFoundException if there is no such row (any more)
     * @throws ReplayFailedException if the broker did not take it; the row stays
     */
    public void replay(long id) {
        transaction.executeWithoutResult(status -> {
            DeadLetter row = repository.lock(id).orElseThrow(() -> new DeadLetterNotFoundException(id));
            publisher.awaitConfirm(publisher.send(row));
            repository.delete(id);
            logReplayed(row);
        });
    }

    /**
     * Replays every dead letter of one failure group that is parked when the replay begins, oldest first.
     *
     * @return how many were replayed
     * @throws ReplayFailedException if the broker did not take one; it and those not yet sent stay
     */
    public int replayGroup(String group) {
        return replayUpTo(repository.maxId(), group);
    }

    /**
     * Replays every dead letter parked when the replay begins, oldest first. Those that fail again and come back while
     * it runs are not replayed again by it.
     *
     * @return how many were replayed
     * @throws ReplayFailedException if the broker did not take one; it and those not yet sent stay
     */
    public int replayAll() {
        return replayUpTo(repository.maxId(), null);
    }

    /**
     * Discards one dead letter: its message is never processed.
     *
     * @throws DeadLetterNotFoundException if there is no such row (any more)
     */
    public void discard(long id) {
        transaction.executeWithoutResult(status -> {
            DeadLetter row = repository.lock(id).orElseThrow(() -> new DeadLetterNotFoundException(id));
            repository.delete(id);
            log.warn("Dead letter {} of order {} (event {}) discarded by an admin: it will not be processed", id, row.orderId(),
                    row.eventId());
        });
    }

    /** Batch after batch, each in its own transaction: a large replay holds few locks and few unconfirmed messages. */
    private int replayUpTo(long upToId, @Nullable String group) {
        int replayed = 0;
        long afterId = 0;
        while (true) {
            Batch batch = replayBatch(afterId, upToId, group);
            replayed += batch.replayed();
            if (batch.failure() != null) {
                throw batch.failure().afterReplaying(replayed);
            }
            if (batch.lastId() == null) {
                return replayed;
            }
            afterId = batch.lastId();
        }
    }

    private Batch replayBatch(long afterId, long upToId, @Nullable String group) {
        return transaction.execute(status -> {
            List<DeadLetter> rows = repository.lockBatch(afterId, upToId, group, batchSize);
            if (rows.isEmpty()) {
                return new Batch(null, 0, null);
            }
            // All of the batch on its way first, then the confirms: one round trip's wait for the batch, not one per row.
            List<ReplayPublisher.Sent> sent = new ArrayList<>();
            ReplayFailedException failure = null;
            for (DeadLetter row : rows) {
                try {
                    sent.add(publisher.send(row));
                }
                catch (ReplayFailedException ex) {
                    failure = ex;
                    break;
                }
            }
            List<Long> confirmed = new ArrayList<>();
            for (ReplayPublisher.Sent message : sent) {
                try {
                    publisher.awaitConfirm(message);
                    confirmed.add(message.row().id());
                    logReplayed(message.row());
                }
                catch (ReplayFailedException ex) {
                    failure = failure == null ? ex : failure;
                }
            }
            repository.delete(confirmed);
            return new Batch(rows.get(rows.size() - 1).id(), confirmed.size(), failure);
        });
    }

    private void logReplayed(DeadLetter row) {
        log.info("Replayed dead letter {} of order {} (event {}) to {} (replay {})", row.id(), row.orderId(), row.eventId(),
                publisher.queue(), row.replayCount() + 1);
    }

    /** What one batch did: the last id it looked at (null when there was nothing left), and whether it failed. */
    private record Batch(@Nullable Long lastId, int replayed, @Nullable ReplayFailedException failure) {
    }
}
