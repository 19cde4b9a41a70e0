package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.util.backoff.BackOffExecution;

class WorkerRetryPolicyTests {

    @Test
    void maxAttemptsCountsTheFirstAttemptAsTheWorkersSettingDoes() {
        RetryPolicy policy = WorkerRetryPolicy.of(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO);

        assertThat(waits(policy)).containsExactly(1_000L, 2_000L, 4_000L, 8_000L);
    }

    @Test
    void fasterDividesEveryWaitAndTheCap() {
        RetryPolicy policy = WorkerRetryPolicy.faster(8, 40);

        // 25 ms doubling, capped at 750 ms; the jitter (250 ms / 40) moves each by a few ms at most
        List<Long> waits = waits(policy);
        assertThat(waits).hasSize(7);
        assertThat(waits.get(0)).isBetween(25L, 32L);
        assertThat(waits.get(6)).isLessThanOrEqualTo(750L);
    }

    private static List<Long> waits(RetryPolicy policy) {
        List<Long> waits = new ArrayList<>();
        BackOffExecution execution = policy.getBackOff().start();
        for (long wait = execution.nextBackOff(); wait != BackOffExecution.STOP; wait = execution.nextBackOff()) {
            waits.add(wait);
        }
        return waits;
    }
}
