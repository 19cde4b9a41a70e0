package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import dev.flashsale.labs.OverflowLab.Confirms;
import dev.flashsale.labs.OverflowLab.Findings;
import dev.flashsale.labs.OverflowLab.Released;
import dev.flashsale.labs.OverflowLab.Resent;
import org.junit.jupiter.api.Test;

class OverflowReportTests {

    private static final Confirms REJECTED = new Confirms(numbers(1, 110), numbers(111, 300));
    private static final Confirms DROPPED = new Confirms(numbers(1, 300), List.of());
    private static final Released RELEASED = new Released(true, 110, new Resent(190, 0), true, numbers(1, 300), 300);

    @Test
    void refusedDroppedAndReleasedAsTheGuideShowsIt() {
        Report report = OverflowReport.of(new Findings(REJECTED, 110, DROPPED, numbers(201, 300), RELEASED));

        assertThat(report.lines()).containsExactly(
                "1. lab.overflow.reject (quorum, x-max-length 100, x-overflow reject-publish), no consumer:",
                "   publish 300 persistent messages with publisher confirms, 10 at a time",
                "   confirmed 110 (1..110), nacked 190 (111..300); the queue holds 110",
                "   10 over the limit: the publishes already on their way when it filled still got in",
                "=> the full queue refused 190 publishes with a nack: the publisher still has them and must keep them"
                        + " to retry",
                "",
                "2. lab.overflow.drop-head (quorum, x-max-length 100, x-overflow drop-head), no consumer:",
                "   confirmed 300, nacked 0; the queue holds 100: messages 201..300",
                "=> all 300 confirmed, yet 200 of them were lost silently: the oldest were dropped for the newest",
                "",
                "3. a consumer starts on lab.overflow.reject and drains it; the publisher re-sends the 190 it kept,",
                "   10 at a time, and any refused again until the broker confirms it (as the outbox does)",
                "   the consumer drained the queue: received 110",
                "   re-sent 190: confirmed 190, refused on the way 0; the consumer received 300 (300 distinct: 1..300)",
                "=> once the consumer caught up, the queue took publishes again: all 300 arrived, none lost");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void aQueueThatTookEverythingShowedNoBackpressure() {
        Report report = OverflowReport.of(new Findings(DROPPED, 300, DROPPED, numbers(201, 300), RELEASED));

        assertThat(report.lines()).contains("   confirmed 300 (1..300), nacked 0 (none); the queue holds 300");
        assertThat(report.missed()).contains("the queue took every publish this time: no backpressure seen");
    }

    @Test
    void aRangeSaysWhetherItHasGaps() {
        assertThat(OverflowReport.range(List.of(1, 2, 3))).isEqualTo("1..3");
        assertThat(OverflowReport.range(List.of(1, 3))).isEqualTo("1..3, with gaps");
        assertThat(OverflowReport.range(List.of())).isEqualTo("none");
    }

    private static List<Integer> numbers(int from, int to) {
        return IntStream.rangeClosed(from, to).boxed().toList();
    }
}
