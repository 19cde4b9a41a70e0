package dev.flashsale.worker;

import dev.flashsale.events.InstanceId;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.deadletter.DeadLetterNotFoundException;
import dev.flashsale.deadletter.DeadLetterService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processes of one worker on one PostgreSQL database: two application contexts of the test worker, each with its
 * own connection pool, listener containers and scheduler, on the same database and the same queues. The races are
 * made to happen for real: where one transaction must wait for the other's lock, the test holds the first one open
 * until PostgreSQL shows the second waiting on a lock ({@code pg_stat_activity}), then lets them go.
 *
 * <p>PostgreSQL is the server on this machine ({@code FLASHSALE_TEST_POSTGRES_HOST}/{@code _PORT}/{@code _USER}/
 * {@code _PASSWORD}), in a database created for this test and dropped after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultipleProcessesOnPostgresTests {

    private static final String PG_HOST = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_HOST", "127.0.0.1");
    private static final String PG_PORT = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PORT", "5432");
    private static final String PG_USER = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_USER", "postgres");
    private static final String PG_PASSWORD = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PASSWORD", "");

    private static final String QUEUE = "email.order-placed";

    private final String database = "flashsale_test_" + UUID.randomUUID().toString().substring(0, 8) + "_processes";
    /** A virtual host of its own: the queues are the two processes' alone, not shared with other tests' workers. */
    private final String virtualHost = TestBroker.get().newVirtualHost("processes");
    private ConfigurableApplicationContext a;
    private ConfigurableApplicationContext b;

    @BeforeAll
    void startTwoProcesses() throws SQLException {
        executeOnPostgres("CREATE DATABASE " + database);
        a = start();
        b = start();
    }

    @AfterAll
    void stop() throws SQLException {
        try {
            for (ConfigurableApplicationContext context : new ConfigurableApplicationContext[] { a, b }) {
                if (context != null) {
                    context.close();
                }
            }
        }
        finally {
            executeOnPostgres("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    @Test
    @Order(1)
    void twoProcessesRacingForTheSameOrderApplyItOnceAndTheLoserSkipsIt() throws Exception {
        OrderPlaced order = TestWorkerApplication.orderPlaced("c-race");
        AtomicInteger effects = new AtomicInteger();
        CountDownLatch firstInside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long skippedByB = b.getBean(WorkerStats.class).snapshot().duplicatesSkipped();

        // A inserts the dedup row and holds its transaction open inside the effect...
        CompetingCall<Optional<Outcome>> first = CompetingCall.start(() -> a.getBean(IdempotentProcessor.class).processOnce(order, event -> {
            effects.incrementAndGet();
            firstInside.countDown();
            awaitQuietly(release);
            return Outcome.applied();
        }));
        assertThat(firstInside.await(10, TimeUnit.SECONDS)).isTrue();
        // ...B checks (no committed row yet), inserts, and waits on A's uncommitted key: the race, for real.
        CompetingCall<Optional<Outcome>> second = CompetingCall.start(() -> b.getBean(IdempotentProcessor.class).processOnce(order, event -> {
            effects.incrementAndGet();
            return Outcome.applied();
        }));
        awaitWaitingOnALock(1);
        release.countDown();

        assertThat(first.result()).contains(Outcome.applied());
        assertThat(second.result()).isEmpty();
        assertThat(effects).hasValue(1);
        assertThat(jdbc(a).sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(order.orderId())
                .query(Long.class).single()).isEqualTo(1);
        assertThat(b.getBean(WorkerStats.class).snapshot().duplicatesSkipped()).isEqualTo(skippedByB + 1);
    }

    @Test
    @Order(2)
    void ordersDeliveredSeveralTimesToBothProcessesAreEachAppliedOnceAndTheRegistrySumsThem() {
        List<OrderPlaced> orders = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            orders.add(TestWorkerApplication.orderPlaced("c-storm"));
        }
        long processedBefore = processed(a) + processed(b);
        RabbitTemplate rabbit = a.getBean(RabbitTemplate.class);
        // Each order three times: twice as published, once under another event id; the two processes' consumers
        // compete for the copies, in batches, and the copies of one order land in both processes at the same moment.
        for (int copy = 0; copy < 3; copy++) {
            for (OrderPlaced order : orders) {
                rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", copy < 2 ? order
                        : new OrderPlaced(UUID.randomUUID(), order.orderId(), order.customer(), order.lines(), order.total(),
                                order.currency(), order.occurredAt()));
            }
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> processed(a) + processed(b) == processedBefore + orders.size());
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode queue = TestBroker.get().queue(virtualHost, QUEUE);
            return queue.path("messages").asLong(-1) == 0;
        });
        for (OrderPlaced order : orders) {
            assertThat(listener(a).effects(order.orderId()) + listener(b).effects(order.orderId())).as("effects of %s", order.orderId())
                    .isEqualTo(1);
        }
        assertThat(jdbc(a).sql("SELECT COUNT(*) FROM processed_order WHERE order_id IN (:ids)")
                .param("ids", orders.stream().map(OrderPlaced::orderId).toList()).query(Long.class).single()).isEqualTo(orders.size());
        // Whichever process is asked, its stats show both and their sum, within a heartbeat.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode stats = stats(b);
            assertThat(stats.get("instances")).hasSize(2);
            assertThat(stats.get("total").get("instances").asInt()).isEqualTo(2);
            assertThat(stats.get("total").get("processed").asLong()).isEqualTo(processed(a) + processed(b));
            assertThat(stats.get("processed").asLong()).isEqualTo(processed(b));
        });
    }

    @Test
    @Order(3)
    void twoProcessesReplayingTheSameDeadLetterPublishItOnce() throws Exception {
        OrderPlaced order = TestWorkerApplication.orderPlaced(TestWorkerApplication.BROKEN_UNTIL_FIXED);
        a.getBean(RabbitTemplate.class).convertAndSend(Topology.ORDERS_EXCHANGE, "", order);
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterId(order).isPresent());
        long id = deadLetterId(order).orElseThrow();
        listener(a).fix(order.orderId());
        listener(b).fix(order.orderId());

        List<CompetingCall<Boolean>> replays = new ArrayList<>();
        try (Connection holder = connect()) {
            // An admin's transaction holds the row; both processes' replays queue up behind it, then race for it.
            holder.setAutoCommit(false);
            try (Statement lock = holder.createStatement()) {
                lock.execute("SELECT id FROM dead_letter WHERE id = " + id + " FOR UPDATE");
            }
            for (ConfigurableApplicationContext process : List.of(a, b)) {
                replays.add(CompetingCall.start(() -> {
                    try {
                        process.getBean(DeadLetterService.class).replay(id);
                        return true;
                    }
                    catch (DeadLetterNotFoundException gone) {
                        return false;
                    }
                }));
            }
            awaitWaitingOnALock(2);
            holder.commit();
        }

        assertThat(replays.stream().map(CompetingCall::result).filter(Boolean::booleanValue).count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> listener(a).effects(order.orderId()) + listener(b).effects(order.orderId()) == 1);
        assertThat(deadLetterId(order)).isEmpty();
    }

    @Test
    @Order(4)
    void twoProcessesReplayingAllTakeDisjointRowsAndTogetherReplayEachOnce() {
        List<OrderPlaced> orders = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            orders.add(TestWorkerApplication.orderPlaced(TestWorkerApplication.BROKEN_UNTIL_FIXED));
        }
        orders.forEach(order -> a.getBean(RabbitTemplate.class).convertAndSend(Topology.ORDERS_EXCHANGE, "", order));
        await().atMost(Duration.ofSeconds(30)).until(() -> orders.stream().allMatch(order -> deadLetterId(order).isPresent()));
        orders.forEach(order -> {
            listener(a).fix(order.orderId());
            listener(b).fix(order.orderId());
        });
        CyclicBarrier together = new CyclicBarrier(2);

        // Batches of 2 (the tests' replay-batch-size): each process locks a batch with SKIP LOCKED, so they interleave.
        List<CompetingCall<Integer>> replays = List.of(a, b).stream().map(process -> CompetingCall.start(() -> {
            awaitQuietly(together);
            return process.getBean(DeadLetterService.class).replayAll();
        })).toList();

        assertThat(replays.stream().mapToInt(CompetingCall::result).sum()).isEqualTo(orders.size());
        assertThat(a.getBean(DeadLetterService.class).parked()).isZero();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (OrderPlaced order : orders) {
                assertThat(listener(a).effects(order.orderId()) + listener(b).effects(order.orderId())).isEqualTo(1);
            }
        });
    }

    @Test
    @Order(5)
    void aDeadLetterHandedOutTwiceToBothProcessesIsStoredOnce() {
        long parkedBefore = a.getBean(DeadLetterService.class).parked();
        RabbitTemplate rabbit = a.getBean(RabbitTemplate.class);
        List<String> keys = new ArrayList<>();
        // The same dead letter twice on the DLQ (a redelivery, a republish after a lost confirm): the two processes'
        // DLQ consumers each take one copy and insert it at the same moment; the unique key keeps one.
        for (int i = 0; i < 20; i++) {
            String key = UUID.randomUUID().toString();
            keys.add(key);
            for (int copy = 0; copy < 2; copy++) {
                MessageProperties properties = new MessageProperties();
                properties.setMessageId(key);
                properties.setHeader(EventHeaders.ORDER_ID, key);
                rabbit.send(Topology.DEAD_LETTER_EXCHANGE, Topology.deadLetterQueue(QUEUE), new Message("{}".getBytes(), properties));
            }
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> TestBroker.get().queue(virtualHost, Topology.deadLetterQueue(QUEUE)).path("messages").asLong(-1) == 0
                && a.getBean(DeadLetterService.class).parked() == parkedBefore + keys.size());
        assertThat(jdbc(a).sql("SELECT COUNT(*) FROM dead_letter WHERE event_id IN (:keys)").param("keys", keys)
                .query(Long.class).single()).isEqualTo(keys.size());
    }

    @Test
    @Order(6)
    void theDedupPurgeRunsInOneProcessPerInterval() {
        int rounds = 10;
        for (int round = 0; round < rounds; round++) {
            jdbc(a).sql("UPDATE worker_task SET next_run_at = TIMESTAMP WITH TIME ZONE '1970-01-01 00:00:00+00:00' WHERE name = 'dedup-purge'")
                    .update();
            CyclicBarrier together = new CyclicBarrier(2);
            List<CompetingCall<Integer>> purges = List.of(a, b).stream().map(process -> CompetingCall.start(() -> {
                awaitQuietly(together);
                return process.getBean(DedupPurger.class).purgeIfDue();
            })).toList();
            List<Integer> results = purges.stream().map(CompetingCall::result).toList();
            assertThat(results).as("round %d", round).filteredOn(deleted -> deleted >= 0).hasSize(1);
            // Not due again for one interval (1 h by default), whoever asks.
            assertThat(a.getBean(DedupPurger.class).purgeIfDue()).isEqualTo(-1);
            assertThat(b.getBean(DedupPurger.class).purgeIfDue()).isEqualTo(-1);
        }
    }

    @Test
    @Order(7)
    void anInstanceThatStopsWritingAgesOutAndOneThatStopsGracefullyLeavesAtOnce() {
        String killed = "killed-host:4242:abcdef";
        JdbcClient jdbc = jdbc(a);
        // As a killed process leaves it: a row with a recent heartbeat that nobody refreshes any more.
        jdbc.sql("INSERT INTO worker_instance (id, started_at, heartbeat_at, figures) VALUES (?, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?)")
                .params(killed, """
                        {"processed":1000,"duplicatesSkipped":0,"retries":0,"deadLettered":0,"outcomes":{"applied":1000},\
                        "consuming":true,"consumers":2,"maxRatePerSecond":null,"workerCounts":{}}""")
                .update();
        JsonNode withKilled = stats(a);
        assertThat(withKilled.get("instances")).extracting(node -> node.get("id").asString()).contains(killed);
        assertThat(withKilled.get("total").get("instances").asInt()).isEqualTo(3);

        // live-within is 2 s in this test (15 s by default).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonNode stats = stats(a);
            assertThat(stats.get("instances")).extracting(node -> node.get("id").asString()).doesNotContain(killed);
            assertThat(stats.get("total").get("instances").asInt()).isEqualTo(2);
        });

        String bId = b.getBean(InstanceId.class).value();
        b.close();
        JsonNode afterGracefulStop = stats(a);
        assertThat(afterGracefulStop.get("instances")).extracting(node -> node.get("id").asString())
                .containsExactly(a.getBean(InstanceId.class).value());
        assertThat(afterGracefulStop.get("total").get("processed").asLong()).isEqualTo(processed(a));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM worker_instance WHERE id = ?").param(bId).query(Long.class).single()).isZero();
    }

    private ConfigurableApplicationContext start() {
        TestBroker broker = TestBroker.get();
        Map<String, Object> properties = new HashMap<>();
        properties.put("spring.rabbitmq.host", broker.host());
        properties.put("spring.rabbitmq.port", broker.port());
        properties.put("spring.rabbitmq.username", broker.username());
        properties.put("spring.rabbitmq.password", broker.password());
        properties.put("spring.rabbitmq.virtual-host", virtualHost);
        properties.put("spring.datasource.url", "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database);
        properties.put("spring.datasource.username", PG_USER);
        properties.put("spring.datasource.password", PG_PASSWORD);
        properties.put("server.port", 0);
        properties.put("flashsale.worker.instances.heartbeat-interval", "300ms");
        properties.put("flashsale.worker.instances.live-within", "2s");
        // As command-line arguments: above WorkerDefaults, which a builder's default properties are not.
        return new SpringApplicationBuilder(TestWorkerApplication.class)
                .run(properties.entrySet().stream().map(setting -> "--" + setting.getKey() + "=" + setting.getValue()).toArray(String[]::new));
    }

    private static long processed(ConfigurableApplicationContext process) {
        return process.getBean(WorkerStats.class).snapshot().processed();
    }

    private static TestWorkerApplication.OrderHandler listener(ConfigurableApplicationContext process) {
        return process.getBean(TestWorkerApplication.OrderHandler.class);
    }

    private static JdbcClient jdbc(ConfigurableApplicationContext process) {
        return process.getBean(JdbcClient.class);
    }

    private static JsonNode stats(ConfigurableApplicationContext process) {
        return RestClient.create("http://localhost:" + process.getEnvironment().getProperty("local.server.port"))
                .get().uri("/api/stats").retrieve().body(JsonNode.class);
    }

    private Optional<Long> deadLetterId(OrderPlaced order) {
        return jdbc(a).sql("SELECT id FROM dead_letter WHERE order_id = ?").param(order.orderId().toString()).query(Long.class).optional();
    }

    /** Waits until PostgreSQL shows this many sessions of the test's database waiting on a lock. */
    private void awaitWaitingOnALock(int sessions) {
        await().atMost(Duration.ofSeconds(10)).until(() -> jdbc(a).sql(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")
                .param(database).query(Long.class).single() >= sessions);
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, PG_USER, PG_PASSWORD);
    }

    private static void executeOnPostgres(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres", PG_USER,
                PG_PASSWORD); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitQuietly(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** A call on a thread of its own, so that two of them overlap; {@link #result} waits for it. */
    private record CompetingCall<T>(CompletableFuture<T> future) {

        static <T> CompetingCall<T> start(Supplier<T> call) {
            return new CompetingCall<>(CompletableFuture.supplyAsync(call, runnable -> new Thread(runnable).start()));
        }

        T result() {
            try {
                return future.get(30, TimeUnit.SECONDS);
            }
            catch (Exception ex) {
                throw new IllegalStateException(ex instanceof java.util.concurrent.ExecutionException ? ex.getCause() : ex);
            }
        }
    }
}
