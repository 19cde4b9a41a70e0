package dev.flashsale.order.checkout;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.QueueProbe;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The checkout API's contract: what it accepts, what it refuses and how, and idempotency keys. */
@OrderServiceTest
class OrderControllerTests {

    private static final Duration PUBLISHED_WITHIN = Duration.ofSeconds(10);

    @Autowired
    TestApi api;

    @Autowired
    QueueProbe probe;

    @Autowired
    JdbcClient jdbc;

    static Stream<Arguments> badRequests() {
        return Stream.of(
                arguments("empty body", "", 400),
                arguments("malformed JSON", "{\"customer\":", 400),
                arguments("not an object", "[1,2,3]", 400),
                arguments("null", "null", 400),
                arguments("trailing garbage", TestApi.order("SKU-1", 1) + " {}", 400),
                arguments("no lines", order("\"lines\":[]"), 400),
                arguments("lines missing", """
                        {"customer":{"id":"c-42","email":"ada@example.com"},"currency":"EUR"}""", 400),
                arguments("customer missing", """
                        {"lines":[{"sku":"SKU-1","quantity":1,"unitPrice":9.99}],"currency":"EUR"}""", 400),
                arguments("quantity 0", line("\"sku\":\"SKU-1\",\"quantity\":0,\"unitPrice\":9.99"), 400),
                arguments("quantity negative", line("\"sku\":\"SKU-1\",\"quantity\":-3,\"unitPrice\":9.99"), 400),
                arguments("quantity fractional", line("\"sku\":\"SKU-1\",\"quantity\":2.5,\"unitPrice\":9.99"), 400),
                arguments("quantity as a string", line("\"sku\":\"SKU-1\",\"quantity\":\"2\",\"unitPrice\":9.99"), 400),
                arguments("quantity overflowing an int", line("\"sku\":\"SKU-1\",\"quantity\":99999999999,\"unitPrice\":9.99"), 400),
                arguments("quantity over the maximum", line("\"sku\":\"SKU-1\",\"quantity\":10001,\"unitPrice\":9.99"), 400),
                arguments("price negative", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":-0.01"), 400),
                arguments("price with three decimals", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":9.999"), 400),
                arguments("price huge", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1e400"), 400),
                arguments("price missing", line("\"sku\":\"SKU-1\",\"quantity\":1"), 400),
                arguments("sku blank", line("\"sku\":\" \",\"quantity\":1,\"unitPrice\":9.99"), 400),
                arguments("sku with control characters", line("\"sku\":\"SKU\\u0000-1\",\"quantity\":1,\"unitPrice\":9.99"), 400),
                arguments("bad email", """
                        {"customer":{"id":"c-42","email":"not-an-email"},
                         "lines":[{"sku":"SKU-1","quantity":1,"unitPrice":9.99}],"currency":"EUR"}""", 400),
                arguments("currency not ISO", order("\"lines\":[{\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":9.99}]")
                        .replace("\"EUR\"", "\"euro\""), 400),
                arguments("unknown field", line("\"sku\":\"SKU-1\",\"quantitiy\":1,\"quantity\":1,\"unitPrice\":9.99"), 400),
                arguments("client-supplied total", TestApi.order("SKU-1", 1).replace("\"currency\"", "\"total\":0.01,\"currency\""), 400),
                arguments("duplicate key", TestApi.order("SKU-1", 1).replace("\"currency\":\"EUR\"", "\"currency\":\"EUR\",\"currency\":\"USD\""), 400),
                arguments("too many lines", order("\"lines\":[" + String.join(",",
                        java.util.Collections.nCopies(101, "{\"sku\":\"S\",\"quantity\":1,\"unitPrice\":1}")) + "]"), 400),
                arguments("price with an exponent beyond any integer", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1e2147483647"), 400),
                arguments("price over the maximum", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1e12"), 400),
                arguments("price with a fraction beyond any integer", line("\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1e-2147483647"), 400),
                arguments("total beyond what is stored", order("\"lines\":[" + String.join(",", java.util.Collections.nCopies(100,
                        "{\"sku\":\"S\",\"quantity\":10000,\"unitPrice\":999999999999.99}")) + "]"), 400),
                arguments("customer id as a number", TestApi.order("SKU-1", 1).replace("\"c-42\"", "42"), 400),
                arguments("customer id as a boolean", TestApi.order("SKU-1", 1).replace("\"c-42\"", "true"), 400),
                arguments("sku as a number", line("\"sku\":1,\"quantity\":1,\"unitPrice\":9.99"), 400),
                arguments("sku as a float", line("\"sku\":1e400,\"quantity\":1,\"unitPrice\":9.99"), 400),
                arguments("currency as a boolean", order("\"lines\":[{\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":9.99}]")
                        .replace("\"EUR\"", "true"), 400),
                arguments("body over the size limit", order("\"lines\":[{\"sku\":\"" + "S".repeat(20_000) + "\",\"quantity\":1,\"unitPrice\":1}]"), 413));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("badRequests")
    void aBadRequestIsRefusedWithAProblemAndChangesNothing(String name, String body, int status) {
        Snapshot before = snapshot();

        Answer answer = api.checkout(body);

        assertProblem(answer, status);
        assertNothingStoredOrPublished(before);
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("badRequests")
    void aBadRequestToTheSynchronousCheckoutIsRefusedTheSameWay(String name, String body, int status) {
        Snapshot before = snapshot();

        Answer answer = api.checkoutSync(body);

        assertProblem(answer, status);
        // The synchronous checkout never publishes (see the 503 test below): nothing stored is nothing done.
        assertThat(snapshot().sameRows(before)).as("nothing new in the orders and outbox tables").isTrue();
    }

    @Test
    void aSynchronousCheckoutWithTheWorkersDownFailsWith503NamingTheFirstAndPublishesNothing() {
        int mark = probe.mark();

        Answer answer = api.checkoutSync(TestApi.order("SKU-6", 1));

        assertProblem(answer, 503);
        assertThat(answer.json().get("title").asString()).isEqualTo("Dependency unavailable");
        assertThat(answer.json().get("dependency").asString()).isEqualTo("inventory-worker");
        assertThat(answer.json().get("appliedBy")).isEmpty();
        assertThat(answer.json().get("detail").asString()).contains("inventory-worker", "could not be reached");
        UUID orderId = UUID.fromString(answer.json().get("orderId").asString());
        assertThat(api.get("/api/orders/" + orderId).json().get("status").asString()).isEqualTo("FAILED");
        probe.assertOnlyTheSentinelSince(mark, api.checkout(TestApi.order("SENTINEL", 1)).orderId(),
                earlier -> !earlier.equals(orderId.toString()) && placed(earlier), PUBLISHED_WITHIN);
    }

    @Test
    void aKeyUsedOnTheSynchronousCheckoutCannotBeReplayedOnTheAsynchronousOne() {
        String key = "sync-then-async-" + UUID.randomUUID();
        api.checkoutSync(TestApi.order("SKU-7", 1), "Idempotency-Key", key);
        Snapshot before = snapshot();

        Answer answer = api.checkout(TestApi.order("SKU-7", 1), "Idempotency-Key", key);

        assertProblem(answer, 422);
        assertThat(ordersWithKey(key)).isEqualTo(1);
        assertNothingStoredOrPublished(before);
    }

    @Test
    void anInvalidOrderListsEveryFieldToFix() {
        Answer answer = api.checkout("""
                {"customer":{"id":"c-42","email":"nope"},
                 "lines":[{"sku":"SKU-1","quantity":0,"unitPrice":-1}],"currency":"EUR"}""");

        assertProblem(answer, 400);
        assertThat(answer.json().get("errors").findValuesAsString("field"))
                .containsExactlyInAnyOrder("customer.email", "lines[0].quantity", "lines[0].unitPrice");
    }

    @Test
    void anUnknownFieldIsNamedInTheProblem() {
        Answer answer = api.checkout(line("\"sku\":\"SKU-1\",\"quantitiy\":1,\"quantity\":1,\"unitPrice\":9.99"));

        assertThat(answer.json().get("detail").asString()).contains("'lines[0].quantitiy'");
    }

    @Test
    void aChunkedBodyOverTheSizeLimitIsRefusedWhileItIsRead() {
        Snapshot before = snapshot();
        byte[] body = order("\"lines\":[{\"sku\":\"" + "S".repeat(20_000) + "\",\"quantity\":1,\"unitPrice\":1}]")
                .getBytes(StandardCharsets.UTF_8);

        Answer answer = api.send(api.request("/api/orders").header("Content-Type", "application/json")
                .POST(TestApi.chunked(body)).build());

        assertProblem(answer, 413);
        assertNothingStoredOrPublished(before);
    }

    @Test
    void aWrongContentTypeIsUnsupportedMediaType() {
        Snapshot before = snapshot();

        Answer answer = api.send(api.request("/api/orders").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(TestApi.order("SKU-1", 1))).build());

        assertProblem(answer, 415);
        assertNothingStoredOrPublished(before);
    }

    @Test
    void anOverlongIdempotencyKeyIsRefused() {
        Snapshot before = snapshot();

        Answer answer = api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", "k".repeat(201));

        assertProblem(answer, 400);
        assertNothingStoredOrPublished(before);
    }

    @Test
    void headersTooLargeForTheServerAreRefusedWithAProblemToo() {
        Snapshot before = snapshot();

        // Beyond Tomcat's header limit: refused by the server itself, before any of the application's code runs. Sent in
        // one write, for the reason sendInOneWrite gives, and small enough for the kernel to take that write at once.
        Answer key = refusedBeforeRead("Idempotency-Key", "k".repeat(10_000));
        Answer other = refusedBeforeRead("X-Padding", "p".repeat(20_000));

        assertProblem(key, 400);
        assertProblem(other, 400);
        assertNothingStoredOrPublished(before);
    }

    @Test
    void repeatingACheckoutWithTheSameKeyReturnsTheFirstOrder() {
        String key = "repeat-" + UUID.randomUUID();

        Answer first = api.checkout(TestApi.order("SKU-3", 1), "Idempotency-Key", key);
        Answer second = api.checkout(TestApi.order("SKU-3", 1), "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(202);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.orderId()).isEqualTo(first.orderId());
        assertThat(first.header("Idempotent-Replayed")).isEqualTo("false");
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(ordersWithKey(key)).isEqualTo(1);
        assertPublishedOnce(first.orderId());
    }

    @Test
    void racingCheckoutsWithTheSameKeyPlaceOneOrder() throws Exception {
        String key = "race-" + UUID.randomUUID();
        int racers = 16;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                answers.add(pool.submit(() -> {
                    start.await();
                    return api.checkout(TestApi.order("SKU-4", 2), "Idempotency-Key", key);
                }));
            }
            start.countDown();

            List<UUID> orderIds = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                assertThat(answer.get().status()).isEqualTo(202);
                orderIds.add(answer.get().orderId());
            }
            assertThat(orderIds).hasSize(racers).containsOnly(orderIds.get(0));
            assertThat(ordersWithKey(key)).isEqualTo(1);
            assertPublishedOnce(orderIds.get(0));
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentCheckoutsShareCommitsAndEachIsStoredOnceWithItsEvent() throws Exception {
        int checkouts = 64;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Answer>> answers = new ArrayList<>();
            for (int i = 0; i < checkouts; i++) {
                answers.add(pool.submit(() -> api.checkout(TestApi.order("GROUP-1", 1))));
            }
            List<UUID> orderIds = new ArrayList<>();
            for (Future<Answer> answer : answers) {
                assertThat(answer.get().status()).isEqualTo(202);
                orderIds.add(answer.get().orderId());
            }

            assertThat(orderIds).doesNotHaveDuplicates();
            assertThat(orderIds).allSatisfy(orderId -> assertThat(jdbc.sql("select count(*) from outbox where aggregate_id = ?")
                    .param(orderId).query(Long.class).single()).isEqualTo(1));
            orderIds.forEach(orderId -> probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN));
            // Whether some shared a transaction depends on the timing; OrderWriterOverloadTests makes a group for certain.
        }
        finally {
            pool.shutdownNow();
        }
    }

    @Test
    void reusingAKeyForADifferentOrderIsRefused() {
        String key = "reuse-" + UUID.randomUUID();
        UUID first = api.checkout(TestApi.order("SKU-5", 1), "Idempotency-Key", key).orderId();
        // The first order's own event must be in before counting what the refused one publishes.
        probe.awaitInEveryQueue(first, PUBLISHED_WITHIN);
        Snapshot before = snapshot();

        Answer answer = api.checkout(TestApi.order("SKU-5", 2), "Idempotency-Key", key);

        assertProblem(answer, 422);
        assertThat(answer.json().get("title").asString()).isEqualTo("Idempotency-Key reused");
        assertThat(ordersWithKey(key)).isEqualTo(1);
        assertNothingStoredOrPublished(before);
        assertPublishedOnce(first);
    }

    /** What the database holds, and where the probe's arrivals stood (not compared: other tests' late events move it). */
    private record Snapshot(long orders, long outbox, int probeMark) {

        boolean sameRows(Snapshot other) {
            return orders == other.orders && outbox == other.outbox;
        }
    }

    private Snapshot snapshot() {
        return new Snapshot(count("orders"), count("outbox"), probe.mark());
    }

    private long count(String table) {
        return jdbc.sql("select count(*) from " + table).query(Long.class).single();
    }

    private long ordersWithKey(String key) {
        return jdbc.sql("select count(*) from orders where idempotency_key = ?").param(key).query(Long.class).single();
    }

    private Answer refusedBeforeRead(String header, String value) {
        return api.sendInOneWrite("POST", "/api/orders", TestApi.order("SKU-1", 1), "Content-Type", "application/json", header, value);
    }

    private static void assertProblem(Answer answer, int status) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("status").asInt()).isEqualTo(status);
        assertThat(answer.json().get("title").asString()).isNotBlank();
        assertThat(answer.json().get("detail").asString()).isNotBlank();
    }

    /**
     * Nothing new in the database, so nothing can ever be published; and nothing was published: until a later valid
     * order's event arrives, no event of an order that is not in the database arrives either.
     */
    private void assertNothingStoredOrPublished(Snapshot before) {
        assertThat(snapshot().sameRows(before)).as("nothing new in the orders and outbox tables").isTrue();
        probe.assertOnlyTheSentinelSince(before.probeMark(), api.checkout(TestApi.order("SENTINEL", 1)).orderId(), this::placed,
                PUBLISHED_WITHIN);
    }

    private boolean placed(String orderId) {
        return jdbc.sql("select count(*) from orders where cast(id as varchar) = ?").param(orderId).query(Long.class).single() > 0;
    }

    /** The order's event is in each of the three queues exactly once, also after a later order went through. */
    private void assertPublishedOnce(UUID orderId) {
        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        probe.awaitInEveryQueue(api.checkout(TestApi.order("SENTINEL", 1)).orderId(), PUBLISHED_WITHIN);
        assertThat(probe.receivedFor(orderId)).hasSize(3);
    }

    private static String order(String lines) {
        return "{\"customer\":{\"id\":\"c-42\",\"email\":\"ada@example.com\"}," + lines + ",\"currency\":\"EUR\"}";
    }

    private static String line(String fields) {
        return order("\"lines\":[{" + fields + "}]");
    }
}
