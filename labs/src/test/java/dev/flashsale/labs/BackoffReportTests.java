package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.TreeSet;

import dev.flashsale.labs.BackoffLab.Findings;
import dev.flashsale.labs.BackoffLab.Outcome;
import org.junit.jupiter.api.Test;

class BackoffReportTests {

    // No jitter, no randomness: the simulation of these two gives the same figures on every run.
    private static final Outcome IMMEDIATE = BackoffLab.simulate(
            WorkerRetryPolicy.of(5, Duration.ZERO, Duration.ofSeconds(30), Duration.ZERO));
    private static final Outcome NO_JITTER = BackoffLab.simulate(
            WorkerRetryPolicy.of(5, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO));

    /** One run of the workers' policy, with jitter, as the guide shows it. */
    private static final Outcome JITTER = new Outcome(2036, 405, 129, 36, 1000, 0, 8_000,
            new TreeSet<>(List.of(1_000L, 1_100L, 2_600L)), List.of(1000, 0, 0, 0, 0, 0, 112, 266, 251, 250, 121, 0));

    @Test
    void theTableTheHistogramAndTheVerdictsAsTheGuideShowsThem() {
        Report report = BackoffReport.of(new Findings(IMMEDIATE, NO_JITTER, JITTER));

        assertThat(report.lines()).containsSubsequence(
                "policy                         retries   peak/100 ms  over capacity succeeded dead-lettered all ok at",
                "no backoff (immediate retry)      4000          4000              0         0          1000     never",
                "exponential, no jitter            3700          1000           2400       300           700     never",
                "exponential + jitter (workers)    2036           405             36      1000             0     8.0 s",
                "",
                "Retries per 250 ms (# = 25 retries; from 2.5 s the dependency takes 250 per 250 ms):",
                "1.00-1.25 s down 1000 ########################################  1000"
                        + " ########################################",
                "2.50-2.75 s up      0                                            112 #####",
                "3.00-3.25 s up   1000 ########################################   251 ###########",
                "",
                "=> without jitter each wave of retries hit at one instant (1, 3, 7, 15 s): peak = all 1000 at once",
                "=> with jitter the peak was 405 per 100 ms, 2.5x lower; once the dependency was back, 129 vs 1000"
                        + " (7.8x)",
                "=> dead-lettered without jitter: 700, with jitter: 0: spread out, the retries fit what the server"
                        + " could take");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void jitterThatSavedNoMessageIsNotTheLesson() {
        Outcome unlucky = new Outcome(JITTER.retries(), JITTER.peak(), JITTER.peakWhenBack(), JITTER.overCapacity(),
                300, 700, JITTER.lastSuccessAt(), JITTER.retryInstants(), JITTER.histogram());

        Report report = BackoffReport.of(new Findings(IMMEDIATE, NO_JITTER, unlucky));

        assertThat(report.missed()).containsExactly(
                "jitter did not save any message this time: dead-lettered 700 vs 700");
    }
}
