package dev.flashsale.worker;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.flashsale.events.OrderPlaced;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** A worker made for the tests of worker-support: its handler fails on purpose, by customer id. */
@SpringBootApplication
public class TestWorkerApplication {

    public static final String FAILS_TWICE = "fails-twice";
    public static final String ALWAYS_FAILS = "always-fails";
    public static final String NOT_RETRYABLE = "not-retryable";

    /** Fails at once (not retryable) until the test fixes the order: what a replay after a fix is for. */
    public static final String BROKEN_UNTIL_FIXED = "broken-until-fixed";

    /** An order of the customer (whose id tells the handler how to fail), placed now. */
    public static OrderPlaced orderPlaced(String customerId) {
        return orderPlaced(customerId, Instant.now());
    }

    /** An order of the customer, placed at {@code occurredAt}. */
    public static OrderPlaced orderPlaced(String customerId, Instant occurredAt) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer(customerId, "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("19.98"), "EUR", occurredAt);
    }

    /** The test worker's handler: records when each attempt started, then fails or applies as told. */
    @Component
    public static class OrderHandler implements OrderPlacedHandler {

        final Map<UUID, List<Long>> attemptsAt = new ConcurrentHashMap<>();

        private final Map<UUID, Integer> effects = new ConcurrentHashMap<>();

        private final Set<UUID> fixed = ConcurrentHashMap.newKeySet();

        @Override
        public Outcome apply(OrderPlaced event) {
            List<Long> attempts = attemptsAt.computeIfAbsent(event.orderId(), id -> new CopyOnWriteArrayList<>());
            attempts.add(System.nanoTime());
            switch (event.customer().id()) {
                case FAILS_TWICE -> {
                    if (attempts.size() <= 2) {
                        throw new IllegalStateException("Downstream unavailable (attempt " + attempts.size() + ")");
                    }
                }
                case ALWAYS_FAILS -> throw new IllegalStateException("Downstream always fails");
                case NOT_RETRYABLE -> throw new IllegalArgumentException("Cannot ever work");
                case BROKEN_UNTIL_FIXED -> {
                    if (!fixed.contains(event.orderId())) {
                        throw new IllegalArgumentException("Broken until fixed");
                    }
                }
                default -> {
                }
            }
            effects.merge(event.orderId(), 1, Integer::sum);
            return Outcome.applied();
        }

        /**
         * How often the effect ran for the order: once, however often the order was delivered (the pipeline calls the
         * handler only once it holds the order's dedup row; a batch that loses the race for that row stops before it).
         */
        public int effects(UUID orderId) {
            return effects.getOrDefault(orderId, 0);
        }

        /** How often the handler has been called for the order (never for one this worker had applied already). */
        public int attempts(UUID orderId) {
            return attemptsAt.getOrDefault(orderId, List.of()).size();
        }

        /** What an admin does before a replay: the cause of the failure is gone for this order. */
        public void fix(UUID orderId) {
            fixed.add(orderId);
        }
    }
}
