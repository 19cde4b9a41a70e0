package dev.flashsale.order.dashboard;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Measures both checkouts, from the request's arrival to its answer, as Micrometer timers
 * ({@code flashsale.checkout.latency{checkout=async|sync}}).
 *
 * <p>Each timer keeps two things apart. Percentiles computed here, over the last minute, for the dashboard
 * ({@link #snapshot}). And a histogram for Prometheus ({@code flashsale_checkout_latency_seconds_bucket{le=…}}), whose
 * buckets count since the start and never decay, so that Prometheus can take rates and add up instances, which
 * percentiles cannot be. With buckets, Micrometer writes the timer as a Prometheus histogram and leaves the percentiles
 * out of the scrape (a histogram has no quantile samples): on Prometheus, {@code histogram_quantile} gives them.
 *
 * <p>A filter, first in the chain, so that what is measured is everything the service does for a checkout (security,
 * reading the JSON, the commit, writing the answer) without a line in the checkout itself. Only successful checkouts
 * count: a refused one says nothing about how long placing an order takes. Recording costs well under a microsecond,
 * always, open dashboard or not; the percentiles are computed only when the dashboard asks for them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE)
class CheckoutLatency extends OncePerRequestFilter {

    static final String METRIC = "flashsale.checkout.latency";

    private final Timer async;
    private final Timer sync;

    CheckoutLatency(MeterRegistry registry) {
        this.async = timer(registry, "async");
        this.sync = timer(registry, "sync");
    }

    private static Timer timer(MeterRegistry registry, String checkout) {
        // One description for both: Prometheus keeps one per metric name, not one per tag.
        return Timer.builder(METRIC).tag("checkout", checkout)
                .description("A successful checkout, from the request to the answer: async (POST /api/orders) once committed, "
                        + "answered 202; sync (POST /api/orders/sync) once every worker applied it, answered 201")
                .publishPercentiles(0.5, 0.9, 0.99)
                // Two significant digits: 1,150 ms reads as 1,150, not as 1,200.
                .percentilePrecision(2)
                // Percentiles over a window that moves, so that the dashboard shows now, not the average of the day.
                // (The buckets for Prometheus do not expire: they are counters.)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                // 69 buckets, from 1 ms (a commit shared with others) to 30 s (a request that should have timed out).
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** The two checkouts' latencies now, by {@code async} and {@code sync}. */
    Map<String, Snapshot.Latency> snapshot() {
        return Map.of("async", latency(async), "sync", latency(sync));
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return timerFor(request) == null;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long start = System.nanoTime();
        chain.doFilter(request, response);
        if (response.getStatus() >= 200 && response.getStatus() < 300) {
            timerFor(request).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private @Nullable Timer timerFor(HttpServletRequest request) {
        if (!"POST".equals(request.getMethod())) {
            return null;
        }
        return switch (request.getRequestURI()) {
            case "/api/orders" -> async;
            case "/api/orders/sync" -> sync;
            default -> null;
        };
    }

    private static Snapshot.Latency latency(Timer timer) {
        HistogramSnapshot snapshot = timer.takeSnapshot();
        double[] millis = new double[3];
        ValueAtPercentile[] percentiles = snapshot.percentileValues();
        for (int i = 0; i < percentiles.length && i < millis.length; i++) {
            millis[i] = percentiles[i].value(TimeUnit.MILLISECONDS);
        }
        return new Snapshot.Latency(timer.count(), millis[0], millis[1], millis[2]);
    }
}
