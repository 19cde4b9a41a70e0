package dev.flashsale.labs;

import java.time.Duration;

import org.springframework.core.retry.RetryPolicy;

/**
 * The workers' retry policy: the defaults of {@code WorkerProperties.Retry} (5 attempts, 1 s doubling up to 30 s,
 * 250 ms jitter), built as {@code WorkerAutoConfiguration} builds it, with one setting changed where a lab changes it.
 */
final class WorkerRetryPolicy {

    static final int MAX_ATTEMPTS = 5;
    static final Duration DELAY = Duration.ofSeconds(1);
    static final Duration MAX_DELAY = Duration.ofSeconds(30);
    static final Duration JITTER = Duration.ofMillis(250);

    private WorkerRetryPolicy() {
    }

    /** {@code maxAttempts} counts the first attempt, as the workers' setting does. */
    static RetryPolicy of(int maxAttempts, Duration delay, Duration maxDelay, Duration jitter) {
        return RetryPolicy.builder()
                .maxRetries(maxAttempts - 1)
                .delay(delay)
                .multiplier(2)
                .maxDelay(maxDelay)
                .jitter(jitter)
                .build();
    }

    /** The workers' policy with {@code maxAttempts}, and every wait {@code speedUp} times shorter. */
    static RetryPolicy faster(int maxAttempts, int speedUp) {
        return of(maxAttempts, DELAY.dividedBy(speedUp), MAX_DELAY.dividedBy(speedUp), JITTER.dividedBy(speedUp));
    }
}
