package dev.flashsale.analytics.sales;

import java.time.Instant;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SalesServiceTests {

    @Test
    void anOrderCountsInTheMinuteItWasPlacedIn() {
        assertThat(SalesService.minuteOf(Instant.parse("2026-11-23T10:15:59.999Z"))).isEqualTo(Instant.parse("2026-11-23T10:15:00Z"));
        assertThat(SalesService.minuteOf(Instant.parse("2026-11-23T10:16:00Z"))).isEqualTo(Instant.parse("2026-11-23T10:16:00Z"));
    }
}
