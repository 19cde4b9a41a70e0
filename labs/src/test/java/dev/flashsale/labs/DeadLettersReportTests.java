package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.labs.DeadLettersLab.Crashes;
import dev.flashsale.labs.DeadLettersLab.Findings;
import dev.flashsale.labs.DeadLettersLab.Rejected;
import org.junit.jupiter.api.Test;

class DeadLettersReportTests {

    private static final Rejected DROPPED = new Rejected(0, 1, "rejected", 0);

    @Test
    void droppedWithoutAnExchangeLoopingWithoutALimitAsTheGuideShowsIt() {
        Report report = DeadLettersReport.of(new Findings(DROPPED, new Crashes(268, 1.0), 1, new Crashes(11, 0.1), 1,
                "delivery_limit"));

        assertThat(report.lines()).containsSubsequence(
                "   lab.dead-letters.orders: 0 ready; lab.dead-letters.orders.dlq: 1, x-first-death-reason=rejected",
                "   lab.dead-letters.no-dlx: 0 ready, and no dead-letter exchange to send it to",
                "=> without a dead-letter exchange a rejected message is dropped, with no error and no trace",
                "",
                "   its channel without an ack, as if it had died; the lab gives up after 1 s or 500 deliveries:",
                "   lab.dead-letters.classic (classic queue, no delivery limit): delivered 268 times in 1.0 s, and still"
                        + " in the queue",
                "   lab.dead-letters.orders: delivered 11 times, then dead-lettered: x-first-death-reason=delivery_limit",
                "=> without a delivery limit the message came back 267 times in 1.0 s, and would for ever; with one it"
                        + " was parked");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void aLimitThatCutNothingShortIsNotTheLesson() {
        Report report = DeadLettersReport.of(new Findings(DROPPED, new Crashes(11, 1.0), 1, new Crashes(11, 0.1), 1,
                "delivery_limit"));

        assertThat(report.missed()).containsExactly(
                "no loop cut short: 11 deliveries without a limit, 11 with one, 1 parked");
    }
}
