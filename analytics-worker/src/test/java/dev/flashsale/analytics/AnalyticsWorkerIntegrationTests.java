package dev.flashsale.analytics;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.testsupport.WorkerMetrics;
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
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The analytics worker against the real broker and its real (H2 file) database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class AnalyticsWorkerIntegrationTests {

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
    AmqpAdmin admin;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @LocalServerPort
    int port;

    @Test
    void sameOrderDeliveredTwiceIsCountedOnceAndTheDuplicateIsSkipped() {
        OrderPlaced event = orderPlaced(Instant.now(), line("SKU-1", 2, "9.99"), line("SKU-2", 1, "5.00"));
        OrderPlaced redelivered = new OrderPlaced(UUID.randomUUID(), event.orderId(), event.customer(), event.lines(),
                event.total(), event.currency(), event.occurredAt());
        long skippedBefore = stats().get("duplicatesSkipped").asLong();

        publish(event);
        publish(redelivered);

        await().until(() -> stats().get("duplicatesSkipped").asLong() == skippedBefore + 1);
        assertThat(saleLines(event.orderId())).isEqualTo(2);
        assertThat(http().get().uri("/api/processed/{id}", event.orderId()).retrieve().body(JsonNode.class)
                .get("outcome").asString()).isEqualTo("applied");
    }

    @Test
    void summaryAddsUpUnitsAndRevenuePerSkuAndPerMinuteOfTheOrder() {
        String sku = "TEST-" + UUID.randomUUID().toString().substring(0, 8);
        List<OrderPlaced> orders = List.of(
                orderPlaced(Instant.parse("2001-02-03T10:00:05Z"), line(sku, 2, "1.25")),
                orderPlaced(Instant.parse("2001-02-03T10:00:59.999Z"), line(sku, 1, "1.25"), line("SKU-2", 1, "3.00")),
                orderPlaced(Instant.parse("2001-02-03T10:01:00Z"), line(sku, 4, "1.25")));

        orders.forEach(this::publish);

        await().until(() -> orders.stream().allMatch(order -> saleLines(order.orderId()) > 0));
        JsonNode summary = http().get().uri("/api/analytics/summary?from=2001-02-03T10:00:00Z&to=2001-02-03T10:02:00Z")
                .retrieve().body(JsonNode.class);
        assertThat(summary.get("orders").asLong()).isEqualTo(3);
        JsonNode total = find(summary.get("perSku"), sku, null);
        assertThat(total.get("units").asLong()).isEqualTo(7);
        assertThat(total.get("revenue").asString()).isEqualTo("8.75");
        assertThat(total.get("orders").asLong()).isEqualTo(3);
        JsonNode first = find(summary.get("perMinute"), sku, "2001-02-03T10:00:00Z");
        assertThat(first.get("units").asLong()).isEqualTo(3);
        assertThat(first.get("revenue").asString()).isEqualTo("3.75");
        JsonNode second = find(summary.get("perMinute"), sku, "2001-02-03T10:01:00Z");
        assertThat(second.get("units").asLong()).isEqualTo(4);
        assertThat(second.get("revenue").asString()).isEqualTo("5.00");
        assertThat(find(summary.get("perMinute"), "SKU-2", "2001-02-03T10:00:00Z").get("revenue").asString()).isEqualTo("3.00");
    }

    @Test
    void ordersPlacedWhileTheWorkerIsStoppedAreAllRecordedAfterItStartsAgain() {
        List<OrderPlaced> orders = IntStream.range(0, 5).mapToObj(i -> orderPlaced(Instant.now(), line("SKU-3", 1, "2.00"))).toList();
        listeners.stop();
        try {
            orders.forEach(this::publish);

            await().until(() -> admin.getQueueInfo(Topology.ANALYTICS_QUEUE).getMessageCount() == 5);
            assertThat(orders).allMatch(order -> saleLines(order.orderId()) == 0);
        }
        finally {
            listeners.start();
        }
        await().until(() -> orders.stream().allMatch(order -> saleLines(order.orderId()) == 1));
    }

    /** What Prometheus and docker compose's health check read, without credentials, before and after any order. */
    @Test
    void theScrapeHasEveryWorkerMetricAndReadinessAnswersWithoutCredentials() {
        String scrape = http().get().uri("/actuator/prometheus").retrieve().body(String.class);

        assertThat(scrape).contains(WorkerMetrics.seriesOf(Topology.ANALYTICS_QUEUE));
        assertThat(http().get().uri("/actuator/health/readiness").retrieve().toBodilessEntity().getStatusCode().value()).isEqualTo(200);
    }

    private static JsonNode find(JsonNode rows, String sku, String minute) {
        for (JsonNode row : rows) {
            if (row.get("sku").asString().equals(sku) && (minute == null || row.get("minute").asString().equals(minute))) {
                return row;
            }
        }
        throw new AssertionError("No row for " + sku + " at " + minute + " in " + rows);
    }

    private void publish(OrderPlaced event) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event);
    }

    private long saleLines(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM sale_line WHERE order_id = ?").param(orderId).query(Long.class).single();
    }

    private JsonNode stats() {
        return http().get().uri("/api/stats").retrieve().body(JsonNode.class);
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    private static OrderPlaced.Line line(String sku, int quantity, String unitPrice) {
        return new OrderPlaced.Line(sku, quantity, new BigDecimal(unitPrice));
    }

    private static OrderPlaced orderPlaced(Instant occurredAt, OrderPlaced.Line... lines) {
        BigDecimal total = List.of(lines).stream().map(OrderPlaced.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(lines), total, "EUR", occurredAt);
    }
}
