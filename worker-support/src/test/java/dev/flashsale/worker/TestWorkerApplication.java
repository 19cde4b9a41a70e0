package dev.flashsale.worker;

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

    /** The test worker's listener: records when each attempt started, then fails or applies as told. */
    @Component
    public static class OrderPlacedListener implements OrderPlacedHandler {

        final Map<UUID, List<Long>> attemptsAt = new ConcurrentHashMap<>();

        private final Map<UUID, Integer> effects = new ConcurrentHashMap<>();

        private final Set<UUID> fixed = ConcurrentHashMap.newKeySet();

        private final IdempotentProcessor processor;

        OrderPlacedListener(IdempotentProcessor processor) {
            this.processor = processor;
        }

        @Override
        public void on(OrderPlaced event) {
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
            processor.processOnce(event, e -> {
                effects.merge(e.orderId(), 1, Integer::sum);
                return Outcome.applied();
            });
        }

        /**
         * How often the effect ran for the order: once, however often the handler was called. (How often the handler
         * is called depends on how deliveries fall into batches and consumers: a batch that loses the race for an order's
         * dedup row hands the order to the one-at-a-time path, which calls the handler again and skips it.)
         */
        public int effects(UUID orderId) {
            return effects.getOrDefault(orderId, 0);
        }

        /** How often the handler has been called for the order. */
        public int attempts(UUID orderId) {
            return attemptsAt.getOrDefault(orderId, List.of()).size();
        }

        /** What an admin does before a replay: the cause of the failure is gone for this order. */
        public void fix(UUID orderId) {
            fixed.add(orderId);
        }
    }
}
