package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import dev.flashsale.labs.AttemptsLab.Findings;
import dev.flashsale.labs.AttemptsLab.Watched;
import org.junit.jupiter.api.Test;

class AttemptsReportTests {

    private static final Watched PARKED = new Watched(5, Duration.ofMillis(480), Duration.ofMillis(500), 20, 1, 0, 0);
    private static final Watched HELD = new Watched(6, null, Duration.ofMillis(1_520), 0, 0, 9, 11);

    @Test
    void parkedWithFiveAttemptsHeldWithAThousandAsTheGuideShowsIt() {
        Report report = AttemptsReport.of(new Findings(PARKED, HELD, Duration.ofSeconds(15), Duration.ofHours(7)));

        assertThat(report.lines()).containsSubsequence(
                "(25 ms doubling up to 750 ms).",
                "",
                "max attempts 5 (the workers' setting):",
                "   order-1: 5 attempts in 0.5 s, then rejected to the DLQ",
                "   the other 20: 20 done, 0 held in the consumer's prefetch, 0 waiting in the queue; 1 in the DLQ",
                "=> parked after its last attempt, order-1 is out of the way: the 20 behind it went through",
                "",
                "max attempts 1000:",
                "   order-1: 6 attempts in 1.5 s, still retrying",
                "   the other 20: 0 done, 9 held in the consumer's prefetch, 11 waiting in the queue; 0 in the DLQ",
                "=> order-1 holds its consumer: the 9 in its prefetch and the 11 in the queue behind them wait",
                "",
                "   5 attempts hold a message 15 s before it is parked; 1000 attempts hold it 7 hours",
                "=> a limit of 1000 attempts does not park a message that never succeeds: it holds it, and its"
                        + " prefetch, for hours");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void aConsumerThatGotOnWithTheOthersWasNotHeld() {
        Watched notHeld = new Watched(6, null, Duration.ofMillis(1_520), 20, 0, 0, 0);

        Report report = AttemptsReport.of(new Findings(PARKED, notHeld, Duration.ofSeconds(15), Duration.ofHours(7)));

        assertThat(report.missed()).containsExactly("not held: 20 done, 0 dead-lettered");
    }
}
