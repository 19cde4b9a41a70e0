package dev.flashsale.worker.demo;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class SimulatedCostsTests {

    @Test
    void stepsKeepTheirOrderAndAreScaled() {
        SimulatedCosts costs = new SimulatedCosts(new SimulatedCosts.Properties(steps("charge-card", 500, "update-stock", 50), 0.5));

        assertThat(costs.steps()).containsExactly(Map.entry("charge-card", Duration.ofMillis(250)),
                Map.entry("update-stock", Duration.ofMillis(25)));
    }

    @Test
    void spendingWaitsAtLeastTheSumOfTheSteps() {
        SimulatedCosts costs = new SimulatedCosts(new SimulatedCosts.Properties(steps("render-invoice", 30, "send-email", 20), 1));

        long start = System.nanoTime();
        costs.spend(order());

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    }

    @Test
    void scaleZeroTurnsEveryStepOff() {
        SimulatedCosts costs = new SimulatedCosts(new SimulatedCosts.Properties(steps("charge-card", 60_000), 0));

        costs.spend(order());

        assertThat(costs.steps()).containsExactly(Map.entry("charge-card", Duration.ZERO));
    }

    @Test
    void negativeScaleIsRefused() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new SimulatedCosts(new SimulatedCosts.Properties(steps("charge-card", 500), -1)))
                .withMessageContaining("flashsale.worker.costs.scale");
    }

    private static Map<String, Duration> steps(Object... namesAndMillis) {
        Map<String, Duration> steps = new LinkedHashMap<>();
        for (int i = 0; i < namesAndMillis.length; i += 2) {
            steps.put((String) namesAndMillis[i], Duration.ofMillis((Integer) namesAndMillis[i + 1]));
        }
        return steps;
    }

    private static OrderPlaced order() {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-1", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 1, new BigDecimal("9.99"))), new BigDecimal("9.99"), "EUR", Instant.now());
    }
}
