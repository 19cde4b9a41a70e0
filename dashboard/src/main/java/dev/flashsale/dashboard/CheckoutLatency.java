package dev.flashsale.dashboard;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;

/**
 * Both checkouts' latencies for the dashboard, read from the timers that {@link CheckoutTimers} makes of Boot's
 * {@code http.server.requests}: p50, p90 and p99 over about the last minute, computed only when the dashboard asks.
 *
 * <p>The two timers are registered here when the service starts, so that they are on the first scrape at 0 (a series
 * that appears only with the first order makes a rate or an alert read "no data" until then); Boot's timing of the
 * first successful checkout of each kind then lands in the same timer.
 */
class CheckoutLatency {

    private final Timer async;
    private final Timer sync;

    CheckoutLatency(MeterRegistry registry) {
        this.async = timer(registry, "async");
        this.sync = timer(registry, "sync");
    }

    private static Timer timer(MeterRegistry registry, String checkout) {
        return Timer.builder(CheckoutTimers.METRIC).tag("checkout", checkout).description(CheckoutTimers.DESCRIPTION).register(registry);
    }

    /** The two checkouts' latencies now, by {@code async} and {@code sync}. */
    Map<String, Snapshot.Latency> snapshot() {
        return Map.of("async", latency(async), "sync", latency(sync));
    }

    private static Snapshot.Latency latency(Timer timer) {
        double[] millis = new double[3];
        ValueAtPercentile[] percentiles = timer.takeSnapshot().percentileValues();
        for (int i = 0; i < percentiles.length && i < millis.length; i++) {
            millis[i] = percentiles[i].value(TimeUnit.MILLISECONDS);
        }
        return new Snapshot.Latency(timer.count(), millis[0], millis[1], millis[2]);
    }
}
