package dev.flashsale.worker;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batches against the real broker and database: a backlog is applied many orders to a transaction, and an order
 * that fails in a batch neither undoes nor repeats the others, and gets its own retries and dead letter.
 */
@WorkerSupportTest
class OrderPlacedConsumerTests {

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    TestWorkerApplication.OrderHandler listener;

    @Autowired
    WorkerStats stats;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Test
    void aBacklogIsAppliedManyOrdersToATransactionEachOnce() {
        List<OrderPlaced> orders = new ArrayList<>();
        Timer endToEnd = meters.get(WorkerStats.END_TO_END).tag("queue", Topology.EMAIL_QUEUE).timer();
        long endToEndBefore = endToEnd.count();
        // A backlog: the consumer finds the queue full when it starts, so its batches fill up.
        listeners.stop();
        try {
            for (int i = 0; i < 120; i++) {
                OrderPlaced order = order("c-batch-" + i);
                orders.add(order);
                publish(order);
            }
        }
        finally {
            listeners.start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> orders.stream().allMatch(order -> applied(order.orderId())));
        assertThat(stats.largestBatch()).isGreaterThan(1);
        assertThat(orders).allSatisfy(order -> assertThat(listener.attempts(order.orderId())).isEqualTo(1));
        // Recorded after the batches' commits too, once per order.
        assertThat(endToEnd.count()).isEqualTo(endToEndBefore + orders.size());
    }

    @Test
    void anOrderThatFailsInABatchNeitherUndoesNorRepeatsTheOthersAndIsRetriedAlone() {
        List<OrderPlaced> good = new ArrayList<>();
        OrderPlaced failsTwice = order(TestWorkerApplication.FAILS_TWICE);
        OrderPlaced alwaysFails = order(TestWorkerApplication.ALWAYS_FAILS);
        listeners.stop();
        try {
            for (int i = 0; i < 30; i++) {
                OrderPlaced order = order("c-good-" + i);
                good.add(order);
                publish(order);
                if (i == 10) {
                    publish(failsTwice);
                }
                if (i == 20) {
                    publish(alwaysFails);
                }
            }
        }
        finally {
            listeners.start();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> good.stream().allMatch(order -> applied(order.orderId()))
                && applied(failsTwice.orderId()) && deadLettered(alwaysFails.orderId()));
        // Each good order's handler ran once: committed with its batch, or on its own after the failure.
        assertThat(good).allSatisfy(order -> assertThat(listener.attempts(order.orderId())).isEqualTo(1));
        // The failing orders: their try in the batch, then their own attempts (4 in the tests, the last applied).
        assertThat(listener.attempts(failsTwice.orderId())).isBetween(3, 4);
        assertThat(jdbc.sql("SELECT attempts FROM dead_letter WHERE order_id = ?").param(alwaysFails.orderId().toString())
                .query(Integer.class).single()).isEqualTo(4);
        assertThat(applied(alwaysFails.orderId())).isFalse();
    }

    private boolean applied(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(orderId).query(Long.class).single() == 1;
    }

    private boolean deadLettered(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter WHERE order_id = ?").param(orderId.toString()).query(Long.class).single() == 1;
    }

    private void publish(OrderPlaced order) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", order);
    }

    private static OrderPlaced order(String customerId) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer(customerId, "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 1, new BigDecimal("9.99"))), new BigDecimal("9.99"), "EUR", Instant.now());
    }
}
