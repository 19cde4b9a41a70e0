package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import dev.flashsale.labs.DeliveryReport.Finding;
import dev.flashsale.labs.DeliveryLab.Mode;
import org.junit.jupiter.api.Test;

class DeliveryReportTests {

    @Test
    void rowFirstShowsItsBreakageOnlyWhenAnOrderWasLost() {
        Finding lost = DeliveryReport.finding(Mode.ROW_FIRST, tally(199, List.of(), List.of(63)), 3, 0);
        Finding nothingLost = DeliveryReport.finding(Mode.ROW_FIRST, tally(200, List.of(), List.of()), 3, 0);

        assertThat(lost.shown()).isTrue();
        assertThat(lost.line()).startsWith("lost: ").contains("order 63 found its dedup row");
        assertThat(nothingLost.shown()).isFalse();
    }

    @Test
    void effectFirstShowsItsBreakageOnlyWhenAnOrderWasAppliedTwice() {
        Finding twice = DeliveryReport.finding(Mode.EFFECT_FIRST, tally(199, List.of(63), List.of()), 2, 0);
        Finding once = DeliveryReport.finding(Mode.EFFECT_FIRST, tally(200, List.of(), List.of()), 3, 0);

        assertThat(twice.shown()).isTrue();
        assertThat(twice.line()).startsWith("applied twice: ").contains("order 63 found no dedup row");
        assertThat(once.shown()).isFalse();
    }

    @Test
    void aQueueNotDrainedShowsNothing() {
        assertThat(DeliveryReport.finding(Mode.ROW_FIRST, tally(199, List.of(), List.of(63)), 3, 5).shown()).isFalse();
    }

    @Test
    void atMostOnceWithTheQueueAtTheKillAsTheGuideShowsIt() {
        DeliveryLab.Findings lost = new DeliveryLab.Findings(Mode.AT_MOST_ONCE, new ConsumerProcess.Halt(63, 200), 63,
                0L, tally(63, List.of(), List.of()), new DeliveryLab.SecondConsumer(0, 0, 0),
                tally(63, List.of(), IntStream.rangeClosed(64, 200).boxed().toList()), 0);

        Report report = DeliveryReport.of(lost);

        assertThat(report.lines()).containsExactly(
                "",
                "at-most-once: auto-ack, no prefetch limit: the broker pushes every message to the consumer at once",
                "  at the kill: the broker had delivered 200 to the consumer, which had applied 63; the queue had 0 ready",
                "  200 published; consumer killed (SIGKILL) after applying 63; a new consumer received 0 (0 redelivered)",
                "  applied once: 63  applied twice: 0  lost: 137  left in queue: 0",
                "=> lost: the broker forgot each message the moment it sent it; those in the killed consumer's buffer"
                        + " are gone");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void rowFirstSaysWhichOrderHadItsRowAndNotItsEffect() {
        OrderDatabase.Tally atKill = new OrderDatabase.Tally(62, 62, List.of(), List.of(), List.of(63), List.of());
        DeliveryLab.Findings rowFirst = new DeliveryLab.Findings(Mode.ROW_FIRST, new ConsumerProcess.Halt(63, 70), 62,
                null, atKill, new DeliveryLab.SecondConsumer(140, 50, 3), tally(199, List.of(), List.of(63)), 0);

        Report report = DeliveryReport.of(rowFirst);

        assertThat(report.lines()).containsSubsequence(
                "  200 published; consumer killed (SIGKILL) between the two commits of order 63; a new consumer"
                        + " received 140 (50 redelivered)",
                "  at the kill the database held the dedup row and not the effect of order 63",
                "  applied once: 199  applied twice: 0  lost: 1  left in queue: 0  duplicates skipped: 3");
    }

    /** Orders 1..200: {@code once} applied once, those in {@code twice} applied twice, those in {@code lost} never. */
    private static OrderDatabase.Tally tally(int once, List<Integer> twice, List<Integer> lost) {
        return new OrderDatabase.Tally(once + 2 * twice.size(), once, twice, lost, List.of(), List.of());
    }
}
