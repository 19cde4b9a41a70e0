package dev.flashsale.load;

import java.util.List;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The report's percentiles, from HdrHistogram: each within 0.1% of the value at its rank. */
class PercentilesTests {

    @Test
    void theReportsFiguresOfAThousandLatencies() {
        Percentiles percentiles = Percentiles.of(LongStream.rangeClosed(1, 1000).boxed().toList());

        assertThat(percentiles.count()).isEqualTo(1000);
        assertThat(percentiles.p50()).isCloseTo(500, within(0.5));
        assertThat(percentiles.p90()).isCloseTo(900, within(0.9));
        assertThat(percentiles.p99()).isCloseTo(990, within(1.0));
        assertThat(percentiles.p999()).isCloseTo(999, within(1.0));
        assertThat(percentiles.max()).isCloseTo(1000, within(1.0));
        assertThat(percentiles).hasToString("p50 500, p90 900, p99 990, p99.9 999, max 1000");
    }

    @Test
    void fractionsOfAMillisecondKeepTheirFraction() {
        Percentiles percentiles = Percentiles.of(List.of(0.25, 0.5, 1.75));

        assertThat(percentiles.p50()).isCloseTo(0.5, within(0.001));
        assertThat(percentiles.max()).isCloseTo(1.75, within(0.002));
        assertThat(Percentiles.median(List.of(3.0, 1.0, 2.0))).isCloseTo(2.0, within(0.002));
    }

    @Test
    void noValuesAreNoFigures() {
        assertThat(Percentiles.of(List.of())).isSameAs(Percentiles.NONE);
        assertThat(Percentiles.NONE).hasToString("no values");
        assertThat(Double.isNaN(Percentiles.median(List.<Double>of()))).isTrue();
    }
}
