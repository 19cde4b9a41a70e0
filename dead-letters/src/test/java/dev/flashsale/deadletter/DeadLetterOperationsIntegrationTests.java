package dev.flashsale.deadletter;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TcpProxy;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.worker.DeadLetterRecoverer;
import dev.flashsale.worker.TestWorkerApplication;
import dev.flashsale.worker.WorkerSupportTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Dead letters an admin can act on, against the real broker and a real database: each dead letter moved from the
 * DLQ into the {@code dead_letter} table once, listed, grouped, replayed (one, a group, all) or discarded, over the
 * admin API and only with the admin credentials; a replay the broker does not take keeps its row.
 *
 * <p>The test worker's {@code broken-until-fixed} orders fail at once until the test "fixes" them, as an admin fixes
 * a cause before replaying. Every test starts from an empty table and waits for the end state it asserts, so that no
 * test's dead letter lands in another's counts.
 */
@WorkerSupportTest
class DeadLetterOperationsIntegrationTests {

    private static final String QUEUE = Topology.EMAIL_QUEUE;
    private static final String DLQ = Topology.deadLetterQueue(QUEUE);
    private static final Duration DEAD_LETTERED_WITHIN = Duration.ofSeconds(30);

    private static final ExecutorService admins = Executors.newFixedThreadPool(2);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    TestWorkerApplication.OrderHandler listener;

    @Autowired
    TcpProxy brokerProxy;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @LocalServerPort
    int port;

    @BeforeEach
    void emptyTable() {
        jdbc.sql("DELETE FROM dead_letter").update();
    }

    @AfterAll
    static void stopAdmins() {
        admins.shutdownNow();
    }

    @Test
    void deadLettersAreListedNewestFirstWithoutStackTracesAndShownInFullById() {
        OrderPlaced older = deadLetter();
        OrderPlaced newer = deadLetter();

        JsonNode page = get("/api/admin/dead-letters").getBody();

        assertThat(page.get("parked").asLong()).isEqualTo(2);
        JsonNode first = page.get("deadLetters").get(0);
        assertThat(first.get("orderId").asString()).isEqualTo(newer.orderId().toString());
        assertThat(page.get("deadLetters").get(1).get("orderId").asString()).isEqualTo(older.orderId().toString());
        assertThat(first.get("eventId").asString()).isEqualTo(newer.eventId().toString());
        assertThat(first.get("deadLetteredBy").asString()).isEqualTo("worker");
        assertThat(first.get("reason").asString()).isEqualTo("java.lang.IllegalArgumentException: Broken until fixed");
        assertThat(first.get("thrownAt").asString()).startsWith(TestWorkerApplication.OrderHandler.class.getName() + ".apply(");
        assertThat(first.get("attempts").asInt()).isEqualTo(1);
        assertThat(first.get("replayCount").asInt()).isZero();
        assertThat(first.get("payloadEncoding").asString()).isEqualTo("utf-8");
        assertThat(first.get("payload").asString()).contains(newer.orderId().toString());
        assertThat(first.has("stackTrace")).isFalse();
        assertThat(first.has("headers")).isFalse();

        JsonNode detail = get("/api/admin/dead-letters/" + first.get("id").asLong()).getBody();

        assertThat(detail.get("stackTrace").asString()).contains("IllegalArgumentException: Broken until fixed");
        assertThat(detail.get("headers").get(EventHeaders.EVENT_TYPE).asString()).isEqualTo(OrderPlaced.TYPE);
        assertThat(detail.get("headers").get(EventHeaders.EVENT_VERSION).asInt()).isEqualTo(OrderPlaced.VERSION);
        assertThat(detail.get("headers").has(DeadLetterRecoverer.X_EXCEPTION_CLASS)).isFalse();
        assertThat(detail.get("properties").get("contentType").asString()).isEqualTo(MessageProperties.CONTENT_TYPE_JSON);
        assertThat(get("/api/admin/dead-letters?limit=1").getBody().get("deadLetters")).hasSize(1);
    }

    @Test
    void deadLettersAreGroupedByTheExceptionAndWhereItWasThrown() {
        List<OrderPlaced> broken = List.of(deadLetter(), deadLetter(), deadLetter());
        publish(order(TestWorkerApplication.NOT_RETRYABLE));
        publish(order(TestWorkerApplication.NOT_RETRYABLE));
        await().atMost(DEAD_LETTERED_WITHIN).until(() -> parked() == 5);

        JsonNode groups = get("/api/admin/dead-letters/groups").getBody();

        assertThat(groups).hasSize(2);
        JsonNode largest = groups.get(0);
        JsonNode other = groups.get(1);
        assertThat(largest.get("count").asLong()).isEqualTo(3);
        assertThat(other.get("count").asLong()).isEqualTo(2);
        // The same exception class, thrown at two places: two failures, two groups.
        assertThat(largest.get("exceptionClass").asString()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(other.get("exceptionClass").asString()).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(largest.get("thrownAt").asString()).isNotEqualTo(other.get("thrownAt").asString());
        assertThat(largest.get("sampleMessage").asString()).isEqualTo("Broken until fixed");
        assertThat(other.get("sampleMessage").asString()).isEqualTo("Cannot ever work");
        assertThat(largest.get("group").asString()).matches("[0-9a-f]{16}").isNotEqualTo(other.get("group").asString());
        assertThat(Instant.parse(largest.get("firstFailedAt").asString()))
                .isBeforeOrEqualTo(Instant.parse(largest.get("lastFailedAt").asString()));
        JsonNode members = get("/api/admin/dead-letters?group=" + largest.get("group").asString()).getBody().get("deadLetters");
        assertThat(members).extracting(member -> member.get("orderId").asString())
                .containsExactlyInAnyOrderElementsOf(broken.stream().map(order -> order.orderId().toString()).toList());
    }

    @Test
    void aDeadLetterReplayedOnceItsCauseIsFixedIsProcessedAndLeavesTheTable() {
        OrderPlaced order = deadLetter();
        long id = rowId(order);
        listener.fix(order.orderId());

        ResponseEntity<JsonNode> replayed = post("/api/admin/dead-letters/" + id + "/replay");

        assertThat(replayed.getStatusCode().value()).isEqualTo(200);
        assertThat(replayed.getBody().get("replayed").asInt()).isEqualTo(1);
        await().until(() -> processed(order.orderId()));
        assertThat(rows(order)).isZero();
        assertThat(get("/api/admin/dead-letters/" + id).getStatusCode().value()).isEqualTo(404);
        assertThat(post("/api/admin/dead-letters/" + id + "/replay").getStatusCode().value()).isEqualTo(404);
        // Replayed to this worker's queue only, through the default exchange: the handler ran once more, not twice.
        assertThat(listener.attempts(order.orderId())).isEqualTo(2);
    }

    @Test
    void aDeadLetterThatFailsAgainAfterAReplayComesBackWithItsReplayCount() {
        OrderPlaced order = deadLetter();
        Row first = row(order);
        assertThat(first.replayCount()).isZero();

        post("/api/admin/dead-letters/" + first.id() + "/replay");
        Row second = awaitRow(order, 1);
        post("/api/admin/dead-letters/" + second.id() + "/replay");
        Row third = awaitRow(order, 2);

        assertThat(rows(order)).isEqualTo(1);
        assertThat(second.id()).isNotEqualTo(first.id());
        // Still the moment the trouble began, carried through the replays; the last failure moves on.
        assertThat(third.firstFailedAt()).isEqualTo(first.firstFailedAt());
        assertThat(third.lastFailedAt()).isAfter(first.lastFailedAt());
        assertThat(get("/api/admin/dead-letters/" + third.id()).getBody().get("replayCount").asInt()).isEqualTo(2);

        listener.fix(order.orderId());
        post("/api/admin/dead-letters/" + third.id() + "/replay");

        await().until(() -> processed(order.orderId()));
        assertThat(rows(order)).isZero();
    }

    @Test
    void aGroupIsReplayedAndOnlyThatGroup() {
        List<OrderPlaced> broken = List.of(deadLetter(), deadLetter(), deadLetter());
        OrderPlaced other = order(TestWorkerApplication.NOT_RETRYABLE);
        publish(other);
        await().atMost(DEAD_LETTERED_WITHIN).until(() -> rows(other) == 1);
        broken.forEach(order -> listener.fix(order.orderId()));
        String group = jdbc.sql("SELECT failure_group FROM dead_letter WHERE order_id = ?").param(broken.get(0).orderId().toString())
                .query(String.class).single();

        ResponseEntity<JsonNode> replayed = post("/api/admin/dead-letters/groups/" + group + "/replay");

        assertThat(replayed.getStatusCode().value()).isEqualTo(200);
        assertThat(replayed.getBody().get("replayed").asInt()).isEqualTo(3);
        await().until(() -> broken.stream().allMatch(order -> processed(order.orderId())));
        assertThat(rows(other)).isEqualTo(1);
        assertThat(parked()).isEqualTo(1);
        assertThat(post("/api/admin/dead-letters/groups/" + group + "/replay").getBody().get("replayed").asInt()).isZero();
    }

    @Test
    void replayingAllReplaysEveryDeadLetterParkedWhenItBeganInBatchesAndNotTheOnesThatComeBack() {
        List<OrderPlaced> fixed = List.of(deadLetter(), deadLetter(), deadLetter());
        List<OrderPlaced> stillBroken = List.of(deadLetter(), deadLetter());
        fixed.forEach(order -> listener.fix(order.orderId()));

        // Five rows, batches of two (application.yml): three batches.
        ResponseEntity<JsonNode> replayed = post("/api/admin/dead-letters/replay");

        assertThat(replayed.getStatusCode().value()).isEqualTo(200);
        assertThat(replayed.getBody().get("replayed").asInt()).isEqualTo(5);
        await().until(() -> fixed.stream().allMatch(order -> processed(order.orderId())));
        stillBroken.forEach(order -> awaitRow(order, 1));
        assertThat(parked()).isEqualTo(2);
    }

    @Test
    void aDiscardedDeadLetterIsGoneAndNeverProcessed() {
        OrderPlaced order = deadLetter();
        OrderPlaced kept = deadLetter();
        long id = rowId(order);
        listener.fix(order.orderId());

        ResponseEntity<JsonNode> discarded = delete("/api/admin/dead-letters/" + id);

        assertThat(discarded.getStatusCode().value()).isEqualTo(204);
        assertThat(rows(order)).isZero();
        assertThat(rows(kept)).isEqualTo(1);
        assertThat(delete("/api/admin/dead-letters/" + id).getStatusCode().value()).isEqualTo(404);
        assertThat(post("/api/admin/dead-letters/" + id + "/replay").getStatusCode().value()).isEqualTo(404);
        assertThat(post("/api/admin/dead-letters/replay").getBody().get("replayed").asInt()).isEqualTo(1);
        // The kept one was replayed, is still broken and comes back; the discarded one never reaches the handler again.
        awaitRow(kept, 1);
        assertThat(processed(order.orderId())).isFalse();
        assertThat(listener.attempts(order.orderId())).isEqualTo(1);
    }

    @Test
    void aReplayWhileTheBrokerIsUnreachableAnswers503AndKeepsTheDeadLetter() {
        OrderPlaced order = deadLetter();
        OrderPlaced other = deadLetter();
        long id = rowId(order);
        listener.fix(order.orderId());
        listener.fix(other.orderId());
        ResponseEntity<JsonNode> one;
        ResponseEntity<JsonNode> all;
        brokerProxy.cut();
        try {
            one = post("/api/admin/dead-letters/" + id + "/replay");
            all = post("/api/admin/dead-letters/replay");
        }
        finally {
            brokerProxy.restore();
        }

        assertThat(one.getStatusCode().value()).isEqualTo(503);
        assertThat(one.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(all.getStatusCode().value()).isEqualTo(503);
        assertThat(all.getBody().get("replayed").asInt()).isZero();
        assertThat(rows(order)).isEqualTo(1);
        assertThat(rows(other)).isEqualTo(1);
        assertThat(processed(order.orderId())).isFalse();

        // Once the broker is back, the same replay goes through (the worker reconnects on its own, within seconds).
        await().atMost(Duration.ofSeconds(30)).until(() -> post("/api/admin/dead-letters/replay").getStatusCode().value() == 200
                && parked() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> processed(order.orderId()) && processed(other.orderId()));
    }

    @Test
    void aReplayTheBrokerRefusesAnswers503AndKeepsTheDeadLetter() throws Exception {
        OrderPlaced order = deadLetter();
        long id = rowId(order);
        listener.fix(order.orderId());
        TestBroker broker = TestBroker.get();
        ResponseEntity<JsonNode> refused;
        // The work queue overflows with reject-publish: over its length limit, the broker nacks every publish to it.
        // With the worker stopped, one accepted probe fills it to the limit of 0.
        listeners.stop();
        broker.applyQueuePolicy("refuse-all", "^" + QUEUE.replace(".", "\\.") + "$", Map.of("max-length", 0));
        try {
            await().until(this::brokerRefusesPublishesToTheQueue);
            refused = post("/api/admin/dead-letters/" + id + "/replay");
        }
        finally {
            broker.deletePolicy("refuse-all");
            listeners.start();
        }

        assertThat(refused.getStatusCode().value()).isEqualTo(503);
        assertThat(refused.getBody().get("detail").asString()).contains("refused by the broker");
        assertThat(rows(order)).isEqualTo(1);

        await().until(() -> post("/api/admin/dead-letters/" + id + "/replay").getStatusCode().value() == 200);
        await().until(() -> processed(order.orderId()));
        assertThat(listener.attempts(order.orderId())).isEqualTo(2);
    }

    @Test
    void aReplayAndADiscardOfTheSameDeadLetterAtTheSameTimeNeverBothWin() throws Exception {
        List<OrderPlaced> orders = IntStream.range(0, 6).mapToObj(i -> deadLetter()).toList();
        orders.forEach(order -> listener.fix(order.orderId()));
        List<OrderPlaced> replayed = new ArrayList<>();
        List<OrderPlaced> discarded = new ArrayList<>();

        for (OrderPlaced order : orders) {
            long id = rowId(order);
            CountDownLatch start = new CountDownLatch(1);
            CompletableFuture<Integer> replay = CompletableFuture.supplyAsync(() -> {
                awaitQuietly(start);
                return post("/api/admin/dead-letters/" + id + "/replay").getStatusCode().value();
            }, admins);
            CompletableFuture<Integer> discard = CompletableFuture.supplyAsync(() -> {
                awaitQuietly(start);
                return delete("/api/admin/dead-letters/" + id).getStatusCode().value();
            }, admins);
            start.countDown();
            int replayStatus = replay.get(30, TimeUnit.SECONDS);
            int discardStatus = discard.get(30, TimeUnit.SECONDS);

            // Exactly one wins; the other finds the row gone (404) or still held by the winner (409).
            assertThat(List.of(replayStatus == 200, discardStatus == 204)).as("replay %d, discard %d", replayStatus, discardStatus)
                    .containsExactlyInAnyOrder(true, false);
            assertThat(replayStatus == 200 ? discardStatus : replayStatus).isIn(404, 409);
            (replayStatus == 200 ? replayed : discarded).add(order);
            assertThat(rows(order)).isZero();
        }

        await().until(() -> replayed.stream().allMatch(order -> processed(order.orderId())));
        assertThat(discarded).allSatisfy(order -> assertThat(listener.attempts(order.orderId())).isEqualTo(1));
        assertThat(discarded).noneMatch(order -> processed(order.orderId()));
    }

    @Test
    void withoutTheAdminCredentialsNothingIsShownReplayedOrDiscarded() {
        OrderPlaced order = deadLetter();
        long id = rowId(order);
        listener.fix(order.orderId());
        RestClient http = http();

        List<ResponseEntity<String>> refused = new ArrayList<>();
        for (HttpHeaders credentials : List.of(new HttpHeaders(), basic(WorkerSupportTest.ADMIN, "wrong"), basic("intruder", "x"))) {
            refused.add(http.get().uri("/api/admin/dead-letters").headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
            refused.add(http.get().uri("/api/admin/dead-letters/{id}", id).headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
            refused.add(http.get().uri("/api/admin/dead-letters/groups").headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
            refused.add(http.post().uri("/api/admin/dead-letters/{id}/replay", id).headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
            refused.add(http.post().uri("/api/admin/dead-letters/replay").headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
            refused.add(http.delete().uri("/api/admin/dead-letters/{id}", id).headers(h -> h.addAll(credentials)).retrieve().toEntity(String.class));
        }

        assertThat(refused).allSatisfy(answer -> {
            assertThat(answer.getStatusCode().value()).isEqualTo(401);
            assertThat(answer.getBody()).doesNotContain(order.orderId().toString());
        });
        assertThat(rows(order)).isEqualTo(1);
        assertThat(processed(order.orderId())).isFalse();
        assertThat(listener.attempts(order.orderId())).isEqualTo(1);
        // How many are parked is no secret: the stats show it to anyone, without payloads.
        JsonNode stats = http.get().uri("/api/stats").retrieve().body(JsonNode.class);
        assertThat(stats.get("deadLettersParked").asLong()).isEqualTo(1);
    }

    @Test
    void theSameDeadLetterDeliveredTwiceIsParkedOnce() {
        Message copy = brokenDeadLetter(UUID.randomUUID());
        Message marker = brokenDeadLetter(UUID.randomUUID());

        // As after a lost confirm: the worker dead-lettered the same message twice.
        rabbit.send("", DLQ, copy);
        rabbit.send("", DLQ, copy);
        rabbit.send("", DLQ, marker);

        // One consumer takes the DLQ in order: once the marker is parked, both copies have been handled.
        await().atMost(DEAD_LETTERED_WITHIN).until(() -> rows(marker) == 1);
        assertThat(rows(copy)).isEqualTo(1);
    }

    @Test
    void badRequestsAreProblems() {
        assertThat(get("/api/admin/dead-letters?limit=0").getStatusCode().value()).isEqualTo(400);
        assertThat(get("/api/admin/dead-letters?limit=501").getStatusCode().value()).isEqualTo(400);
        assertThat(get("/api/admin/dead-letters?group=nope").getStatusCode().value()).isEqualTo(400);
        assertThat(post("/api/admin/dead-letters/groups/not-a-key/replay").getStatusCode().value()).isEqualTo(400);
        ResponseEntity<JsonNode> malformedId = get("/api/admin/dead-letters/abc");
        assertThat(malformedId.getStatusCode().value()).isEqualTo(400);
        assertThat(malformedId.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        ResponseEntity<JsonNode> unknown = get("/api/admin/dead-letters/987654321");
        assertThat(unknown.getStatusCode().value()).isEqualTo(404);
        assertThat(unknown.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(unknown.getBody().get("title").asString()).isEqualTo("Dead letter not found");
    }

    /** Publishes an order that fails at once until fixed, and waits until its dead letter is parked. */
    private OrderPlaced deadLetter() {
        OrderPlaced order = order(TestWorkerApplication.BROKEN_UNTIL_FIXED);
        publish(order);
        await().atMost(DEAD_LETTERED_WITHIN).until(() -> rows(order) == 1);
        return order;
    }

    /** Whether the broker nacks a publish to the work queue now; an accepted probe is an ordinary order, applied later. */
    private boolean brokerRefusesPublishesToTheQueue() throws Exception {
        CorrelationData probe = new CorrelationData(UUID.randomUUID().toString());
        rabbit.send("", QUEUE, rabbit.getMessageConverter().toMessage(order("c-probe"), new MessageProperties()), probe);
        return !probe.getFuture().get(5, TimeUnit.SECONDS).ack();
    }

    private Message brokenDeadLetter(UUID orderId) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(UUID.randomUUID().toString());
        properties.setHeader(EventHeaders.ORDER_ID, orderId.toString());
        properties.setHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS, IllegalStateException.class.getName());
        properties.setHeader("x-exception-message", "made up by the test");
        properties.setHeader(DeadLetterRecoverer.X_ATTEMPTS, 4);
        return new Message("{}".getBytes(StandardCharsets.UTF_8), properties);
    }

    private void publish(OrderPlaced order) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", order);
    }

    private long parked() {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter").query(Long.class).single();
    }

    private long rows(OrderPlaced order) {
        return rows(order.orderId().toString());
    }

    private long rows(Message message) {
        return rows(message.getMessageProperties().<String>getHeader(EventHeaders.ORDER_ID));
    }

    private long rows(String orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter WHERE order_id = ?").param(orderId).query(Long.class).single();
    }

    private long rowId(OrderPlaced order) {
        return row(order).id();
    }

    private Row row(OrderPlaced order) {
        return jdbc.sql("SELECT id, replay_count, first_failed_at, last_failed_at FROM dead_letter WHERE order_id = ?")
                .param(order.orderId().toString())
                .query((rs, n) -> new Row(rs.getLong("id"), rs.getInt("replay_count"),
                        rs.getTimestamp("first_failed_at").toInstant(), rs.getTimestamp("last_failed_at").toInstant()))
                .single();
    }

    private Row awaitRow(OrderPlaced order, int replayCount) {
        await().atMost(DEAD_LETTERED_WITHIN).until(() -> rows(order) == 1 && row(order).replayCount() == replayCount);
        return row(order);
    }

    private boolean processed(UUID orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(orderId).query(Long.class).single() == 1;
    }

    private ResponseEntity<JsonNode> get(String path) {
        return http().get().uri(path).headers(this::admin).retrieve().toEntity(JsonNode.class);
    }

    private ResponseEntity<JsonNode> post(String path) {
        return http().post().uri(path).headers(this::admin).retrieve().toEntity(JsonNode.class);
    }

    private ResponseEntity<JsonNode> delete(String path) {
        return http().delete().uri(path).headers(this::admin).retrieve().toEntity(JsonNode.class);
    }

    private void admin(HttpHeaders headers) {
        headers.setBasicAuth(WorkerSupportTest.ADMIN, WorkerSupportTest.ADMIN_PASSWORD);
    }

    private static HttpHeaders basic(String user, String password) {
        HttpHeaders headers = new HttpHeaders();
        headers.setBasicAuth(user, password);
        return headers;
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static OrderPlaced order(String customerId) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer(customerId, "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("19.98"), "EUR", Instant.now());
    }

    /** The columns of a row that a replay changes. */
    private record Row(long id, int replayCount, Instant firstFailedAt, Instant lastFailedAt) {
    }
}
