package dev.flashsale.order.outbox;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Publishes, in the background and in order of creation, the outbox rows that the after-commit publisher did not
 * get confirmed: the broker was down, nacked or returned them, or the process died between commit and publish. It takes
 * only this instance's rows ({@link OutboxLease}): the rows of another instance are that instance's to send, or, once it
 * is gone, the rows of whoever took them over.
 * It also purges published rows after their retention.
 */
@Component
class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private final OutboxRepository repository;
    private final RowsOnTheirWay rows;
    private final OutboxSender sender;
    private final TransactionTemplate transaction;
    private final OutboxProperties properties;
    private final OutboxLease lease;
    private final Counter relayed;

    OutboxRelay(OutboxRepository repository, RowsOnTheirWay rows, OutboxSender sender, TransactionTemplate transaction,
            OutboxProperties properties, OutboxLease lease, MeterRegistry meters) {
        this.repository = repository;
        this.lease = lease;
        this.rows = rows;
        this.sender = sender;
        this.transaction = transaction;
        this.properties = properties;
        this.relayed = Counter.builder("flashsale.outbox.relayed")
                .description("Outbox rows the relay sent because the after-commit publisher had not got them confirmed: 0 in a run "
                        + "without faults")
                .register(meters);
    }

    /** One round: sends this instance's oldest unpublished rows, and waits for their confirms. */
    void relay() {
        Instant before = Instant.now().minus(properties.relayGrace());
        relay(repository.findUnpublished(lease.id(), before, properties.relayBatchSize()));
    }

    /**
     * Claims and sends rows found unpublished. A row can be confirmed and marked between the query and its claim: a row
     * is let go only once its mark has committed ({@link RowsOnTheirWay#markConfirmed}), so a row claimed here and
     * published in the database was sent already, and is let go instead of sent again. Seen under a cold start's load,
     * where confirms lag: without the second look, 22 of 578 orders reached every queue twice.
     */
    void relay(List<OutboxMessage> found) {
        List<OutboxMessage> claimed = found.stream().filter(message -> rows.claimForRelay(message.id())).toList();
        if (claimed.isEmpty()) {
            return;
        }
        Set<Long> unpublished = repository.unpublishedAmong(claimed.stream().map(OutboxMessage::id).toList());
        List<OutboxMessage> due = new ArrayList<>();
        for (OutboxMessage message : claimed) {
            if (unpublished.contains(message.id())) {
                due.add(message);
            }
            else {
                rows.letGo(message.id());
            }
        }
        if (due.isEmpty()) {
            return;
        }
        List<CompletableFuture<Boolean>> confirms = sender.send(due);
        if (confirms.stream().allMatch(confirm -> confirm.isDone() && !confirm.join())) {
            return; // the broker is unreachable: the next round tries again
        }
        relayed.increment(due.size());
        log.info("Relayed {} outbox rows left unpublished", due.size());
        awaitConfirms(confirms);
    }

    /** Deletes published rows older than the retention; unpublished rows are never purged. */
    int purge(Instant publishedBefore) {
        int purged = transaction.execute(status -> repository.deletePublishedBefore(publishedBefore));
        if (purged > 0) {
            log.info("Purged {} outbox rows published before {}", purged, publishedBefore);
        }
        return purged;
    }

    void purgeExpired() {
        purge(Instant.now().minus(properties.retention()));
    }

    private void awaitConfirms(List<CompletableFuture<Boolean>> confirms) {
        try {
            CompletableFuture.allOf(confirms.toArray(CompletableFuture[]::new))
                    .get(properties.confirmTimeout().toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException | ExecutionException ex) {
            log.warn("Not every relayed row was confirmed in time; unconfirmed rows are sent again later");
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }
}
