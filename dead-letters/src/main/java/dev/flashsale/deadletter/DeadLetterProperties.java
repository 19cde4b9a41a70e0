package dev.flashsale.deadletter;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dead letters are moved from the DLQ into the {@code dead_letter} table, and replayed from there on an admin's
 * request ({@code flashsale.worker.dead-letters.*}, the keys they always had).
 *
 * @param replayBatchSize how many rows a replay of a group or of all locks, publishes and removes at a time:
 *        a replay of thousands holds a bounded number of row locks and unconfirmed messages
 * @param replayConfirmTimeout how long a replay waits for the broker to confirm a message before it gives up
 *        and leaves the row where it was
 * @param ingestRetryMaxInterval the longest wait between two attempts to store a dead letter while the database
 *        is unreachable (the dead letter stays unacknowledged on the DLQ meanwhile)
 */
@ConfigurationProperties("flashsale.worker.dead-letters")
public record DeadLetterProperties(
        @DefaultValue("100") int replayBatchSize,
        @DefaultValue("10s") Duration replayConfirmTimeout,
        @DefaultValue("30s") Duration ingestRetryMaxInterval) {
}
