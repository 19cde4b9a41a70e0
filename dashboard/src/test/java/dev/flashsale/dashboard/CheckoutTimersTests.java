package dev.flashsale.dashboard;

import java.time.Duration;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Boot's timers of the successful checkouts become {@code flashsale.checkout.latency{checkout}}, with percentiles and
 * buckets; every other request stays in {@code http.server.requests}, as Boot made it. The tags are those Boot's
 * observation of a request gives its timer.
 */
class CheckoutTimersTests {

    // Prometheus' registry, as in the service: a simple registry keeps no buckets at all.
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    CheckoutTimersTests() {
        registry.config().meterFilter(new CheckoutTimers());
    }

    @Test
    void aSuccessfulCheckoutOfEachKindIsRecordedInItsCheckoutTimerWhichBothRegisteredAtStart() {
        CheckoutLatency latency = new CheckoutLatency(registry);
        assertThat(latency.snapshot().get("async").count()).as("registered at 0").isZero();

        request("POST", "/api/orders", "202", "SUCCESS").record(Duration.ofMillis(4));
        request("POST", "/api/orders/sync", "201", "SUCCESS").record(Duration.ofMillis(1_150));

        assertThat(latency.snapshot().get("async").count()).isEqualTo(1);
        assertThat(latency.snapshot().get("async").p50()).isBetween(3.9, 4.1);
        assertThat(latency.snapshot().get("sync").p99()).as("two significant digits").isBetween(1_140.0, 1_160.0);
        assertThat(registry.find("http.server.requests").timers()).isEmpty();
    }

    @Test
    void aRefusedCheckoutAndEveryOtherRequestStayInBootsTimerWithoutBuckets() {
        request("POST", "/api/orders", "400", "CLIENT_ERROR").record(Duration.ofMillis(1));
        request("GET", "/api/dashboard", "200", "SUCCESS").record(Duration.ofMillis(1));

        assertThat(registry.find(CheckoutTimers.METRIC).timers()).isEmpty();
        assertThat(registry.find("http.server.requests").timers()).hasSize(2)
                .allSatisfy(timer -> assertThat(timer.takeSnapshot().histogramCounts()).isEmpty());
    }

    @Test
    void theCheckoutTimersHaveTheirBucketsFromOneMillisecondToThirtySeconds() {
        Timer async = request("POST", "/api/orders", "202", "SUCCESS");

        assertThat(async.getId().getName()).isEqualTo(CheckoutTimers.METRIC);
        assertThat(async.getId().getTags()).containsExactly(Tag.of("checkout", "async"));
        // 68 bounds, and Prometheus' +Inf: 69 buckets.
        assertThat(async.takeSnapshot().histogramCounts()).hasSize(68);
        assertThat(registry.scrape()).contains("flashsale_checkout_latency_seconds_bucket{checkout=\"async\",le=\"0.001\"}",
                "flashsale_checkout_latency_seconds_bucket{checkout=\"async\",le=\"30.0\"}");
    }

    private Timer request(String method, String uri, String status, String outcome) {
        return registry.timer("http.server.requests", Tags.of("method", method, "uri", uri, "status", status, "outcome", outcome,
                "exception", "none", "error", "none"));
    }
}
