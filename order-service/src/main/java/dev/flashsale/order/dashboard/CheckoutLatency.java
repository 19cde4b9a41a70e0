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
 * Measures both checkouts, from the request's arrival to its answer, as Micrometer timers with percentiles
 * ({@code flashsale.checkout.latency{checkout=async|sync}}, also on {@code /actuator/prometheus}).
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
        this.async = timer(registry, "async", "The asynchronous checkout (POST /api/orders): committed, answered 202");
        this.sync = timer(registry, "sync", "The synchronous checkout (POST /api/orders/sync): every worker called, answered 201");
    }

    private static Timer timer(MeterRegistry registry, String checkout, String description) {
        return Timer.builder(METRIC).tag("checkout", checkout).description(description)
                .publishPercentiles(0.5, 0.9, 0.99)
                // Two significant digits: 1,150 ms reads as 1,150, not as 1,200.
                .percentilePrecision(2)
                // Percentiles over a window that moves, so that the dashboard shows now, not the average of the day.
                .distributionStatisticExpiry(Duration.ofMinutes(1))
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
