package dev.flashsale.worker.demo;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.OrderPlaced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The time this worker's downstream calls take for each new order (charging a card, rendering an invoice, an
 * email provider's API), simulated by waiting, so that the synchronous and the asynchronous checkout can be
 * compared doing the same work at the same cost.
 *
 * <p>The wait happens before the order's database transaction, never inside it: a 500 ms wait while the
 * inventory holds the row lock of a SKU would let only two orders per second through for that SKU, and
 * every waiting consumer would hold a pooled connection. A duplicate is detected before the wait and costs
 * nothing. None when the demo switches are off ({@link DemoSwitches}).
 */
public final class SimulatedCosts {

    private static final Logger log = LoggerFactory.getLogger(SimulatedCosts.class);

    private final Map<String, Duration> steps;

    SimulatedCosts(Properties properties) {
        if (properties.scale() < 0) {
            throw new IllegalArgumentException("flashsale.worker.costs.scale cannot be negative");
        }
        Map<String, Duration> scaled = new LinkedHashMap<>();
        properties.steps().forEach((step, cost) -> scaled.put(step,
                Duration.ofNanos(Math.round(cost.toNanos() * properties.scale()))));
        this.steps = Collections.unmodifiableMap(scaled);
        log.info("Simulated downstream costs per order: {}", properties.steps().isEmpty() ? "none" : scaled);
    }

    /** The steps and what each costs, after scaling. */
    public Map<String, Duration> steps() {
        return steps;
    }

    /**
     * Waits for as long as the downstream calls of a batch of new orders take: made concurrently, as a worker with
     * an asynchronous client makes them, they take as long as one order's.
     *
     * @throws IllegalStateException if the thread is interrupted meanwhile (the worker is stopping)
     */
    public void spendForBatch(int orders) {
        if (orders > 0) {
            spend("a batch of " + orders + " orders");
        }
    }

    /**
     * Waits for as long as this worker's downstream calls take for one order.
     *
     * @throws IllegalStateException if the thread is interrupted meanwhile (the worker is stopping); the
     *         interrupt stays set, so that the listener hands the message back to the queue
     */
    public void spend(OrderPlaced event) {
        spend("order " + event.orderId());
    }

    private void spend(String what) {
        for (Map.Entry<String, Duration> step : steps.entrySet()) {
            if (step.getValue().isZero()) {
                continue;
            }
            log.debug("{}: {} ({})", what, step.getKey(), step.getValue());
            try {
                TimeUnit.NANOSECONDS.sleep(step.getValue().toNanos());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted during " + step.getKey() + " of " + what, ex);
            }
        }
    }

    /**
     * Simulated costs ({@code flashsale.worker.costs.*}).
     *
     * @param steps each downstream call a new order needs, in order, with how long it takes; each worker's
     *        {@code application.yml} lists its own
     * @param scale a factor applied to every step: {@code 0} turns the simulation off (load tests that measure
     *        the system's own throughput), {@code 1} is the classic example
     */
    @ConfigurationProperties("flashsale.worker.costs")
    public record Properties(
            @DefaultValue Map<String, Duration> steps,
            @DefaultValue("1") double scale) {
    }
}
