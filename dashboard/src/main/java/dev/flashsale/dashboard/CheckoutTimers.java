package dev.flashsale.dashboard;

import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import org.jspecify.annotations.Nullable;

/**
 * Makes Boot's own timing of the successful checkouts the checkout's latency timers,
 * {@code flashsale.checkout.latency{checkout=async|sync}}: nothing in the service measures them by hand.
 *
 * <p>Boot times every request as {@code http.server.requests} in {@code ServerHttpObservationFilter}, second in the
 * filter chain, from the request's arrival to its answer: everything the service does for a checkout (security, reading
 * the JSON, the commit, writing the answer). This filter takes the successful {@code POST /api/orders} (202) and
 * {@code POST /api/orders/sync} (201) out of {@code http.server.requests}, under the name and tag that the alert rules
 * and Grafana's panels read (a refused checkout says nothing about how long placing an order takes, and stays in
 * {@code http.server.requests}), and gives those two timers, and no other request's, what they need:
 * <ul>
 * <li>percentiles over a window that moves (a minute), for the dashboard, so that it shows now, not the average of the
 * day; Micrometer computes them with HdrHistogram, and only when they are asked for;</li>
 * <li>a histogram for Prometheus ({@code flashsale_checkout_latency_seconds_bucket{le=…}}), 69 buckets from 1 ms (a
 * commit shared with others) to 30 s (a request that should have timed out), whose counts never decay, so that
 * Prometheus can take rates and add up instances, which percentiles cannot be. With buckets, Micrometer writes the
 * timer as a Prometheus histogram and leaves the percentiles out of the scrape (a histogram has no quantile
 * samples).</li>
 * </ul>
 * Configuring {@code management.metrics.distribution.*} for {@code http.server.requests} instead would give every
 * path's timer (the dashboard's own polling, the actuator, an order's lookup) 69 buckets a status, and rename the
 * series the alerts read.
 */
class CheckoutTimers implements MeterFilter {

    static final String METRIC = "flashsale.checkout.latency";

    // One description for both: Prometheus keeps one per metric name, not one per tag.
    static final String DESCRIPTION = "A successful checkout, from the request to the answer: async (POST /api/orders) once "
            + "committed, answered 202; sync (POST /api/orders/sync) once every worker applied it, answered 201";

    /** Boot's timer of every request. */
    private static final String SERVER_REQUESTS = "http.server.requests";

    /** The checkouts by the path pattern Boot tags them with. */
    private static final Map<String, String> CHECKOUTS = Map.of("/api/orders", "async", "/api/orders/sync", "sync");

    private static final DistributionStatisticConfig DISTRIBUTION = DistributionStatisticConfig.builder()
            .percentiles(0.5, 0.9, 0.99)
            // Two significant digits: 1,150 ms reads as 1,150, not as 1,200.
            .percentilePrecision(2)
            .expiry(Duration.ofMinutes(1))
            .percentilesHistogram(true)
            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
            .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
            .build();

    @Override
    public Meter.Id map(Meter.Id id) {
        String checkout = SERVER_REQUESTS.equals(id.getName()) && "POST".equals(id.getTag("method"))
                && "SUCCESS".equals(id.getTag("outcome")) ? checkout(id.getTag("uri")) : null;
        return checkout == null ? id : new Meter.Id(METRIC, Tags.of("checkout", checkout), id.getBaseUnit(), DESCRIPTION, id.getType());
    }

    @Override
    public @Nullable DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        return METRIC.equals(id.getName()) ? DISTRIBUTION.merge(config) : config;
    }

    private static @Nullable String checkout(@Nullable String uri) {
        return uri == null ? null : CHECKOUTS.get(uri);
    }
}
