package dev.flashsale.analytics;

import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Rebuilding the figures from the history stream, against the real broker and the worker's real (H2 file) database:
 * each test places orders of a SKU of its own and compares that SKU's figures.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@ActiveProfiles("test")
class HistoryRebuildIntegrationTests {

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:./target/test-db/" + UUID.randomUUID());
        // A stream left without its marker (the deleted-stream test) must fail the rebuild in a test's time.
        registry.add("flashsale.analytics.history.idle-timeout", () -> "5s");
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    SalesService sales;

    @LocalServerPort
    int port;

    @Test
    void aRebuildOpenedByAnotherLiveProcessIsLeftAloneAndClosedOnceThatProcessIsGone() {
        int live = jdbc.sql("SELECT live FROM sales_generation WHERE id = 1").query(Integer.class).single();
        String other = "other-host:4242:abcdef";
        // Another process of the worker, live (a fresh heartbeat in the registry), rebuilding the next generation.
        jdbc.sql("INSERT INTO worker_instance (id, started_at, heartbeat_at, figures) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)")
                .params(other, """
                        {"processed":0,"duplicatesSkipped":0,"retries":0,"deadLettered":0,"outcomes":{},"consuming":true,\
                        "consumers":2,"maxRatePerSecond":null,"workerCounts":{}}""")
                .update();
        jdbc.sql("UPDATE sales_generation SET rebuilding = ?, rebuilding_by = ? WHERE id = 1").params(live + 1, other).update();
        try {
            // What this process does at start-up and every 30 s: the other's rebuild runs, it is not this one's to close.
            assertThat(sales.closeAbandoned()).isEmpty();
            assertThat(jdbc.sql("SELECT rebuilding FROM sales_generation WHERE id = 1").query(Integer.class).single()).isEqualTo(live + 1);

            // The other process was killed: its heartbeat ages out, and its rebuild is closed.
            jdbc.sql("UPDATE worker_instance SET heartbeat_at = ? WHERE id = ?")
                    .params(Timestamp.from(Instant.now().minus(Duration.ofMinutes(1))), other).update();
            assertThat(sales.closeAbandoned()).contains(live + 1);
            assertThat(jdbc.sql("SELECT rebuilding FROM sales_generation WHERE id = 1").query(Integer.class).optional()).isEmpty();
            assertThat(jdbc.sql("SELECT live FROM sales_generation WHERE id = 1").query(Integer.class).single()).isEqualTo(live);
        }
        finally {
            jdbc.sql("UPDATE sales_generation SET rebuilding = NULL, rebuilding_by = NULL WHERE id = 1").update();
            jdbc.sql("DELETE FROM worker_instance WHERE id = ?").param(other).update();
        }
    }

    @Test
    void aRebuildGivesBackTheSameFiguresAndKeepsOneGeneration() {
        String sku = newSku();
        List<OrderPlaced> orders = IntStream.range(0, 20).mapToObj(i -> order(Instant.now(), sku, 1 + i % 3)).toList();
        orders.forEach(this::publish);
        awaitApplied(orders);
        JsonNode before = figures(sku);

        JsonNode done = rebuild(null);

        assertThat(figures(sku)).isEqualTo(before);
        assertThat(before.get("orders").asLong()).isEqualTo(20);
        assertThat(done.get("state").asString()).isEqualTo("done");
        assertThat(done.get("replayed").asLong()).isGreaterThanOrEqualTo(20);
        assertThat(jdbc.sql("SELECT COUNT(DISTINCT generation) FROM sale_line").query(Long.class).single()).isEqualTo(1);
        assertThat(liveGeneration()).isEqualTo(done.get("generation").asInt());
    }

    @Test
    void aRebuildAfterTheDatabaseWasLostGivesBackEveryOrderTheStreamHolds() {
        String sku = newSku();
        List<OrderPlaced> orders = IntStream.range(0, 30).mapToObj(i -> order(Instant.now(), sku, 2)).toList();
        orders.forEach(this::publish);
        awaitApplied(orders);

        // What a lost database leaves: no figures and no dedup rows.
        jdbc.sql("DELETE FROM sale_line").update();
        jdbc.sql("DELETE FROM processed_order").update();
        assertThat(figures(sku)).isNull();

        rebuild(null);

        JsonNode figures = figures(sku);
        assertThat(figures.get("orders").asLong()).isEqualTo(30);
        assertThat(figures.get("units").asLong()).isEqualTo(60);
        // An order delivered again after the rebuild (its dedup row was lost too) is not counted twice.
        publish(orders.get(0));
        await().until(() -> applied(orders.get(0)));
        assertThat(figures(sku).get("orders").asLong()).isEqualTo(30);
        assertThat(liveLines(sku)).isEqualTo(30);
    }

    @Test
    void ordersThatKeepComingDuringARebuildAreCountedOnceAndNoneIsMissed() throws InterruptedException {
        String sku = newSku();
        // A backlog in the live queue when the rebuild starts: these are in the stream before the marker and reach
        // the live consumer after the new generation was opened, so both write them.
        List<OrderPlaced> backlog = IntStream.range(0, 100).mapToObj(i -> order(Instant.now(), sku, 1)).toList();
        List<OrderPlaced> during = IntStream.range(0, 100).mapToObj(i -> order(Instant.now(), sku, 1)).toList();
        listeners.stop();
        try {
            backlog.forEach(this::publish);
            await().until(() -> admin.getQueueInfo(Topology.ANALYTICS_QUEUE).getMessageCount() >= backlog.size());
            assertThat(startRebuild(null).getStatusCode().value()).isEqualTo(202);
        }
        finally {
            listeners.start();
        }
        for (OrderPlaced order : during) {
            publish(order);
            Thread.sleep(5);
        }
        JsonNode done = awaitRebuild();
        assertThat(done.get("state").asString()).isEqualTo("done");
        List<OrderPlaced> all = new ArrayList<>(backlog);
        all.addAll(during);
        awaitApplied(all);

        assertThat(figures(sku).get("orders").asLong()).isEqualTo(200);
        assertThat(figures(sku).get("units").asLong()).isEqualTo(200);
        assertThat(liveLines(sku)).isEqualTo(200);
    }

    @Test
    void aRebuildFromATimeKeepsTheOrdersPlacedSinceThen() {
        String sku = newSku();
        Instant now = Instant.now();
        // Placed ten minutes ago and published only now (an outbox backlog after an outage): in the stream, but too old.
        List<OrderPlaced> earlier = IntStream.range(0, 5).mapToObj(i -> order(now.minus(10, ChronoUnit.MINUTES), sku, 1)).toList();
        List<OrderPlaced> since = IntStream.range(0, 7).mapToObj(i -> order(now, sku, 1)).toList();
        earlier.forEach(this::publish);
        since.forEach(this::publish);
        awaitApplied(earlier);
        awaitApplied(since);
        assertThat(figures(sku).get("orders").asLong()).isEqualTo(12);

        JsonNode done = rebuild(now.minus(5, ChronoUnit.MINUTES));

        assertThat(done.get("from").asString()).isEqualTo(now.minus(5, ChronoUnit.MINUTES).toString());
        assertThat(figures(sku).get("orders").asLong()).isEqualTo(7);
    }

    @Test
    void aRebuildThatCannotReadTheStreamFailsAndLeavesTheLiveFiguresAlone() {
        String sku = newSku();
        List<OrderPlaced> orders = IntStream.range(0, 3).mapToObj(i -> order(Instant.now(), sku, 1)).toList();
        orders.forEach(this::publish);
        awaitApplied(orders);
        int live = liveGeneration();
        admin.deleteQueue(Topology.HISTORY_STREAM);
        try {
            JsonNode failed = rebuild(null);

            assertThat(failed.get("state").asString()).isEqualTo("failed");
            assertThat(failed.get("error").asString()).contains(Topology.HISTORY_STREAM);
        }
        finally {
            Queue history = QueueBuilder.durable(Topology.HISTORY_STREAM).withArguments(Topology.historyStreamArguments()).build();
            admin.declareQueue(history);
            Binding binding = BindingBuilder.bind(history).to(new FanoutExchange(Topology.ORDERS_EXCHANGE));
            admin.declareBinding(binding);
        }
        assertThat(liveGeneration()).isEqualTo(live);
        assertThat(jdbc.sql("SELECT rebuilding FROM sales_generation").query(Integer.class).optional()).isEmpty();
        assertThat(figures(sku).get("orders").asLong()).isEqualTo(3);
    }

    @Test
    void aSecondRebuildWhileOneRunsAndARebuildFromTheFutureAreRefusedAndChangeNothing() {
        int live = liveGeneration();
        // A rebuild running, as another process would hold it: the database row is what decides.
        jdbc.sql("UPDATE sales_generation SET rebuilding = ?").param(live + 1).update();
        try {
            ResponseEntity<JsonNode> second = startRebuild(null);
            assertThat(second.getStatusCode().value()).isEqualTo(409);
            assertThat(second.getBody().get("detail").asString()).contains("already");
        }
        finally {
            jdbc.sql("UPDATE sales_generation SET rebuilding = NULL").update();
        }
        ResponseEntity<JsonNode> future = startRebuild(Instant.now().plus(Duration.ofHours(1)));
        assertThat(future.getStatusCode().value()).isEqualTo(400);
        ResponseEntity<JsonNode> anonymous = http().post().uri("/api/admin/history/rebuild").retrieve().toEntity(JsonNode.class);
        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(liveGeneration()).isEqualTo(live);
        assertThat(jdbc.sql("SELECT rebuilding FROM sales_generation").query(Integer.class).optional()).isEmpty();
    }

    private JsonNode rebuild(Instant from) {
        ResponseEntity<JsonNode> started = startRebuild(from);
        assertThat(started.getStatusCode().value()).as("%s", started.getBody()).isEqualTo(202);
        return awaitRebuild();
    }

    private ResponseEntity<JsonNode> startRebuild(Instant from) {
        return http().post().uri(from == null ? "/api/admin/history/rebuild" : "/api/admin/history/rebuild?from=" + from)
                .headers(headers -> headers.setBasicAuth("test-admin", "test-secret"))
                .retrieve().toEntity(JsonNode.class);
    }

    private JsonNode awaitRebuild() {
        return await().atMost(Duration.ofSeconds(60)).until(
                () -> http().get().uri("/api/analytics/history/rebuild").retrieve().body(JsonNode.class),
                status -> !status.get("state").asString().equals("replaying"));
    }

    /** The SKU's row of the summary, or null when the figures have none. */
    private JsonNode figures(String sku) {
        JsonNode summary = http().get().uri("/api/analytics/summary").retrieve().body(JsonNode.class);
        for (JsonNode row : summary.get("perSku")) {
            if (row.get("sku").asString().equals(sku)) {
                return row;
            }
        }
        return null;
    }

    private int liveGeneration() {
        return jdbc.sql("SELECT live FROM sales_generation").query(Integer.class).single();
    }

    private long liveLines(String sku) {
        return jdbc.sql("SELECT COUNT(*) FROM sale_line WHERE sku = ? AND generation = (SELECT live FROM sales_generation)")
                .param(sku).query(Long.class).single();
    }

    private void awaitApplied(List<OrderPlaced> orders) {
        await().atMost(Duration.ofSeconds(30)).until(() -> orders.stream().allMatch(this::applied));
    }

    private boolean applied(OrderPlaced order) {
        return jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(order.orderId())
                .query(Long.class).single() > 0;
    }

    private void publish(OrderPlaced event) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event);
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    private static String newSku() {
        return "HIST-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static OrderPlaced order(Instant occurredAt, String sku, int quantity) {
        OrderPlaced.Line line = new OrderPlaced.Line(sku, quantity, new BigDecimal("2.50"));
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(line), line.amount(), "EUR", occurredAt);
    }
}
