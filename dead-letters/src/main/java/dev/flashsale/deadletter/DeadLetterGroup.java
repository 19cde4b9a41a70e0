package dev.flashsale.deadletter;

import java.time.Instant;

import org.jspecify.annotations.Nullable;

/**
 * Dead letters that failed the same way: the same exception thrown at the same place, or the same broker reason.
 *
 * @param group the group's key: stable (the same failure has the same key in every instance and after a restart)
 *        and URL-safe, for {@code POST /api/admin/dead-letters/groups/{group}/replay}
 * @param deadLetteredBy {@code worker} or {@code broker}
 * @param exceptionClass the exception; null for the broker's dead letters
 * @param thrownAt where it was thrown (the top frame of its stack trace); null for the broker's dead letters
 * @param brokerReason the broker's reason, e.g. {@code delivery_limit}; null for the worker's dead letters
 * @param count how many are parked
 * @param firstFailedAt the earliest first failure among them
 * @param lastFailedAt the latest dead-lettering among them
 * @param sampleMessage one of their exception messages, or what the broker's reason means
 */
public record DeadLetterGroup(
        String group,
        String deadLetteredBy,
        @Nullable String exceptionClass,
        @Nullable String thrownAt,
        @Nullable String brokerReason,
        long count,
        Instant firstFailedAt,
        Instant lastFailedAt,
        @Nullable String sampleMessage) {
}
