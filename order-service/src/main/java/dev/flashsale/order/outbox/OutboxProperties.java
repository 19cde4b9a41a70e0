package dev.flashsale.order.outbox;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How the outbox is carried to the broker ({@code flashsale.outbox.*}).
 *
 * @param publishAfterCommit publish each row right after its commit; when off, only the relay
 *        publishes, and commit-to-broker takes up to {@code relayInterval + relayGrace}
 * @param maxPending rows handed to the after-commit publisher and not yet sent; beyond it new
 *        rows wait for the relay instead of piling up in memory while the broker is slow
 * @param relayInterval how often the relay looks for rows that are still unpublished
 * @param relayGrace how old a row must be before the relay takes it, so that it does not race
 *        the after-commit publisher for rows that are simply on their way
 * @param relayBatchSize the most rows the relay takes in one round
 * @param confirmTimeout how long a sent row may wait for the broker's confirm before the relay
 *        sends it again
 * @param markInterval how often confirmed rows are marked published, in one batch update
 * @param retention how long a published row is kept before it is purged
 * @param purgeInterval how often published rows older than the retention are purged
 * @param afterCommitFault a fault to inject between commit and publish (for tests and demos), from the start
 * @param faultKnob whether the after-commit fault exists at all ({@link AfterCommitFault}, {@code /api/admin/faults}):
 *        on for the demos and the fault tests; off, nothing of it is on the checkout's path
 * @param heartbeatInterval how often this instance tells the others it is alive, and looks for instances that are not
 *        ({@link OutboxLease})
 * @param instanceLease how long after its last heartbeat an instance is taken for dead, and its unpublished rows are
 *        taken over by a live one: long enough for a garbage-collection pause or a slow database, short enough that
 *        a crashed instance's orders are not late by much
 */
@ConfigurationProperties("flashsale.outbox")
public record OutboxProperties(
        @DefaultValue("true") boolean publishAfterCommit,
        @DefaultValue("10000") int maxPending,
        @DefaultValue("1s") Duration relayInterval,
        @DefaultValue("2s") Duration relayGrace,
        @DefaultValue("500") int relayBatchSize,
        @DefaultValue("10s") Duration confirmTimeout,
        @DefaultValue("50ms") Duration markInterval,
        @DefaultValue("7d") Duration retention,
        @DefaultValue("1m") Duration purgeInterval,
        @DefaultValue("none") AfterCommitFault.Mode afterCommitFault,
        @DefaultValue("true") boolean faultKnob,
        @DefaultValue("2s") Duration heartbeatInterval,
        @DefaultValue("10s") Duration instanceLease) {

    public OutboxProperties {
        if (instanceLease.compareTo(heartbeatInterval.multipliedBy(3)) < 0) {
            throw new IllegalArgumentException("flashsale.outbox.instance-lease (" + instanceLease + ") must be at least three "
                    + "heartbeat intervals (" + heartbeatInterval + "): one late heartbeat must not hand a live instance's rows over");
        }
        if (!faultKnob && afterCommitFault != AfterCommitFault.Mode.NONE) {
            throw new IllegalArgumentException("flashsale.outbox.after-commit-fault (" + afterCommitFault + ") needs the fault "
                    + "knob, which flashsale.outbox.fault-knob=false removes");
        }
    }
}
