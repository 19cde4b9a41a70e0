package dev.flashsale.worker;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.flashsale.events.OrderPlaced;

import org.springframework.amqp.rabbit.annotation.RabbitListener;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.stereotype.Component;

/** A worker made for the tests of worker-support: its handler fails on purpose, by customer id. */
@SpringBootApplication
class TestWorkerApplication {

    static final String FAILS_TWICE = "fails-twice";
    static final String ALWAYS_FAILS = "always-fails";
    static final String NOT_RETRYABLE = "not-retryable";

    /** The test worker's listener: records when each attempt started, then fails or applies as told. */
    @Component
    static class OrderPlacedListener {

        final Map<UUID, List<Long>> attemptsAt = new ConcurrentHashMap<>();

        private final IdempotentProcessor processor;

        OrderPlacedListener(IdempotentProcessor processor) {
            this.processor = processor;
        }

        @RabbitListener(queues = "${flashsale.worker.queue}")
        void on(OrderPlaced event) {
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
                default -> {
                }
            }
            processor.processOnce(event, e -> Outcome.applied());
        }

        int attempts(UUID orderId) {
            return attemptsAt.getOrDefault(orderId, List.of()).size();
        }
    }
}
