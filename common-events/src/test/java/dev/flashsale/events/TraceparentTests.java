package dev.flashsale.events;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TraceparentTests {

    private static final String VALUE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    @Test
    void readsAndWritesTheW3cFormat() {
        Traceparent parsed = Traceparent.parse(VALUE).orElseThrow();

        assertThat(parsed.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
        assertThat(parsed.spanId()).isEqualTo("00f067aa0ba902b7");
        assertThat(parsed.sampled()).isTrue();
        assertThat(parsed).hasToString(VALUE);
        assertThat(Traceparent.parse(VALUE.replace("-01", "-00")).orElseThrow().sampled()).isFalse();
    }

    @Test
    void refusesWhatIsNotAValidTraceContext() {
        assertThat(Traceparent.parse(null)).isEmpty();
        assertThat(Traceparent.parse(42)).isEmpty();
        assertThat(Traceparent.parse("")).isEmpty();
        assertThat(Traceparent.parse(VALUE.toUpperCase())).isEmpty();
        assertThat(Traceparent.parse("01" + VALUE.substring(2))).isEmpty();
        assertThat(Traceparent.parse("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01")).isEmpty();
        assertThat(Traceparent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-" + "0".repeat(16) + "-01")).isEmpty();
    }
}
