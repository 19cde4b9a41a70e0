package dev.flashsale.inventory;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.testsupport.WorkerMetrics;
import dev.flashsale.worker.OrderPlacedHandler;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The inventory worker against the real broker and its real (H2 file) database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class InventoryWorkerIntegrationTests {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:./target/test-db/" + UUID.randomUUID());
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    OrderPlacedHandler handler;

    @Autowired
    TransactionTemplate transactions;

    @LocalServerPort
    int port;

    @Test
    void orderDeliveredTwiceReservesStockOnceAndCountsTheDuplicate() {
        String sku = newSku(100);
        OrderPlaced event = orderPlaced(line(sku, 3));
        long skippedBefore = stats().get("duplicatesSkipped").asLong();

        publish(event);
        publish(event);

        await().until(() -> stats().get("duplicatesSkipped").asLong() == skippedBefore + 1);
        assertThat(available(sku)).isEqualTo(97);
        assertThat(processed(event.orderId()).get("outcome").asString()).isEqualTo("reserved");
        assertThat(reservedUnits(event.orderId())).isEqualTo(3);
    }

    @Test
    void twentyConcurrentOrdersForTenInStockReserveExactlyTenAndRejectTen() {
        String sku = newSku(10);
        List<OrderPlaced> orders = IntStream.range(0, 20).mapToObj(i -> orderPlaced(line(sku, 1))).toList();

        orders.parallelStream().forEach(this::publish);

        await().until(() -> orders.stream().allMatch(order -> outcome(order.orderId()) != null));
        List<String> outcomes = orders.stream().map(order -> outcome(order.orderId())).toList();
        assertThat(outcomes).filteredOn("reserved"::equals).hasSize(10);
        assertThat(outcomes).filteredOn("rejected"::equals).hasSize(10);
        assertThat(available(sku)).isZero();
        assertThat(jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM reservation WHERE sku = ?").param(sku).query(Integer.class).single())
                .isEqualTo(10);
        // Rejected is a business outcome, not a failure: none of them is dead-lettered.
        assertThat(orders).allSatisfy(order -> assertThat(deadLetters(order.orderId())).isZero());
    }

    @Test
    void orderForMoreThanIsInStockIsRecordedAsRejectedWithTheReasonAndNotRetried() {
        String sku = newSku(2);
        OrderPlaced event = orderPlaced(line(sku, 3));
        long retriesBefore = stats().get("retries").asLong();
        long deadLetteredBefore = stats().get("deadLettered").asLong();

        publish(event);

        await().until(() -> outcome(event.orderId()) != null);
        JsonNode processed = processed(event.orderId());
        assertThat(processed.get("outcome").asString()).isEqualTo("rejected");
        assertThat(processed.get("detail").asString()).isEqualTo("insufficient stock for " + sku + ": requested 3, available 2");
        assertThat(available(sku)).isEqualTo(2);
        assertThat(stats().get("retries").asLong()).isEqualTo(retriesBefore);
        assertThat(stats().get("deadLettered").asLong()).isEqualTo(deadLetteredBefore);
        assertThat(deadLetters(event.orderId())).isZero();
        assertThat(stats().get("outcomes").get("rejected").asLong()).isPositive();
    }

    @Test
    void orderIsReservedForAllItsLinesOrForNone() {
        String plenty = newSku(50);
        String scarce = newSku(1);
        OrderPlaced event = orderPlaced(line(plenty, 5), line(scarce, 2));

        publish(event);

        await().until(() -> outcome(event.orderId()) != null);
        assertThat(outcome(event.orderId())).isEqualTo("rejected");
        assertThat(available(plenty)).isEqualTo(50);
        assertThat(available(scarce)).isEqualTo(1);
        assertThat(reservedUnits(event.orderId())).isZero();
    }

    @Test
    void orderForAnUnknownProductIsRejected() {
        OrderPlaced event = orderPlaced(line("NO-SUCH-SKU", 1));

        publish(event);

        await().until(() -> outcome(event.orderId()) != null);
        assertThat(processed(event.orderId()).get("detail").asString()).isEqualTo("unknown SKU NO-SUCH-SKU");
    }

    @Test
    void ordersPlacedWhileTheWorkerIsStoppedAreAllReservedAfterItStartsAgain() {
        String sku = newSku(100);
        List<OrderPlaced> orders = IntStream.range(0, 5).mapToObj(i -> orderPlaced(line(sku, 2))).toList();
        listeners.stop();
        try {
            orders.forEach(this::publish);

            await().until(() -> ready(Topology.INVENTORY_QUEUE) == 5);
            assertThat(orders).allMatch(order -> outcome(order.orderId()) == null);
        }
        finally {
            listeners.start();
        }
        await().until(() -> orders.stream().allMatch(order -> "reserved".equals(outcome(order.orderId()))));
        assertThat(available(sku)).isEqualTo(90);
    }

    @Test
    void seededCatalogueIsServed() {
        JsonNode stock = http().get().uri("/api/stock/FLASH-1").retrieve().body(JsonNode.class);

        assertThat(stock.get("name").asString()).isNotBlank();
        assertThat(http().get().uri("/api/stock/NOPE").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(404);
    }

    /**
     * Two batches whose orders take the same two SKUs in opposite order, run at once as two consumers would: each
     * applies its first order, they meet, then each applies its second. Without {@code beforeBatch} locking the
     * whole batch's rows in SKU order first, each would hold the row the other wants next, and the database would
     * roll one back as a deadlock. With it, the second batch waits for the first one's locks before it applies
     * anything, and the first goes on as soon as the database shows the other waiting: no clock decides.
     */
    @Test
    void twoBatchesTakingTheSameSkusInOppositeOrderDoNotDeadlock() throws Exception {
        String first = newSku(10);
        String second = newSku(10);
        List<OrderPlaced> one = List.of(orderPlaced(line(second, 1)), orderPlaced(line(first, 1)));
        List<OrderPlaced> other = List.of(orderPlaced(line(first, 1)), orderPlaced(line(second, 1)));
        Halfway halfway = new Halfway();

        ExecutorService consumers = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = consumers.submit(() -> applyAsOneBatch(one, halfway));
            Future<?> b = consumers.submit(() -> applyAsOneBatch(other, halfway));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);
        }
        finally {
            consumers.shutdownNow();
        }

        assertThat(available(first)).isEqualTo(8);
        assertThat(available(second)).isEqualTo(8);
        Stream.concat(one.stream(), other.stream()).forEach(order -> assertThat(reservedUnits(order.orderId())).isEqualTo(1));
    }

    /** What the batch consumer does with a batch (one transaction, beforeBatch, then each order), meeting the other halfway. */
    private void applyAsOneBatch(List<OrderPlaced> orders, Halfway halfway) {
        try {
            transactions.executeWithoutResult(status -> {
                handler.beforeBatch(orders);
                handler.apply(orders.get(0));
                awaitTheOther(halfway);
                handler.apply(orders.get(1));
            });
        }
        finally {
            halfway.finished.incrementAndGet(); // a batch that is done lets the other go on alone
        }
    }

    /**
     * Where the two batches meet: each counts itself there once it has applied its first order. A latch and a counter,
     * not a Phaser: a batch that finishes must not take part in the meeting any more, and a Phaser's
     * arriveAndDeregister, racing with the other party's arrival for the next phase, can throw "arrival of unregistered
     * party" (seen once in CI).
     */
    private static final class Halfway {
        final CountDownLatch arrived = new CountDownLatch(2);
        final AtomicInteger finished = new AtomicInteger();
    }

    /**
     * Waits until the other batch has applied its first order too (the deadlock's set-up), or has finished, or is
     * blocked on a lock this one holds: then it would never arrive.
     */
    private void awaitTheOther(Halfway halfway) {
        halfway.arrived.countDown();
        try {
            while (!halfway.arrived.await(20, TimeUnit.MILLISECONDS)) {
                if (halfway.finished.get() > 0 || jdbc.sql("SELECT COUNT(*) FROM INFORMATION_SCHEMA.SESSIONS WHERE BLOCKER_ID IS NOT NULL")
                        .query(Long.class).single() > 0) {
                    return;
                }
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private void publish(OrderPlaced event) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event);
    }

    /** Messages ready in a queue, counted by the broker now (the management API's figures lag by seconds). */
    private long ready(String queue) {
        return admin.getQueueInfo(queue).getMessageCount();
    }

    private String newSku(int available) {
        String sku = "TEST-" + UUID.randomUUID().toString().substring(0, 8);
        jdbc.sql("INSERT INTO stock (sku, name, available) VALUES (?, 'test product', ?)").params(sku, available).update();
        return sku;
    }

    private int available(String sku) {
        return jdbc.sql("SELECT available FROM stock WHERE sku = ?").param(sku).query(Integer.class).single();
    }

    private int reservedUnits(UUID orderId) {
        return jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM reservation WHERE order_id = ?").param(orderId).query(Integer.class).single();
    }

    /** The order's dead letters, parked in the worker's table (the DLQ itself is emptied into it at once). */
    private long deadLetters(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter WHERE order_id = ?").param(orderId.toString()).query(Long.class).single();
    }

    private String outcome(UUID orderId) {
        return jdbc.sql("SELECT outcome FROM processed_order WHERE order_id = ?").param(orderId).query(String.class).optional().orElse(null);
    }

    private JsonNode processed(UUID orderId) {
        return http().get().uri("/api/processed/{id}", orderId).retrieve().body(JsonNode.class);
    }

    /** What Prometheus and docker compose's health check read, without credentials, before and after any order. */
    @Test
    void theScrapeHasEveryWorkerMetricAndReadinessAnswersWithoutCredentials() {
        String scrape = http().get().uri("/actuator/prometheus").retrieve().body(String.class);

        assertThat(scrape).contains(WorkerMetrics.seriesOf(Topology.INVENTORY_QUEUE));
        assertThat(http().get().uri("/actuator/health/readiness").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(200);
    }

    private JsonNode stats() {
        return http().get().uri("/api/stats").retrieve().body(JsonNode.class);
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    private static OrderPlaced.Line line(String sku, int quantity) {
        return new OrderPlaced.Line(sku, quantity, new BigDecimal("4.50"));
    }

    private static OrderPlaced orderPlaced(OrderPlaced.Line... lines) {
        List<OrderPlaced.Line> all = new ArrayList<>(Arrays.asList(lines));
        BigDecimal total = all.stream().map(OrderPlaced.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", "ada@example.com"),
                all, total, "EUR", Instant.now());
    }
}
