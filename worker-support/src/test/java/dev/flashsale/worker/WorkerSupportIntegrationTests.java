package dev.flashsale.worker;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The shared worker machinery against the real broker and a real H2 database: dedup, retries with
 * backoff, dead-lettering with the reason, and the broker's delivery limit as the last safety net.
 */
@SpringBootTest(classes = TestWorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerSupportIntegrationTests {

    private static final String QUEUE = Topology.EMAIL_QUEUE;
    private static final String DLQ = Topology.deadLetterQueue(QUEUE);

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:./target/test-db/" + UUID.randomUUID());
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    TestWorkerApplication.OrderPlacedListener listener;

    @Autowired
    WorkerStats stats;

    @Autowired
    FaultInjector faults;

    @Autowired
    DedupPurger purger;

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    private static final Map<String, Message> deadLetters = new ConcurrentHashMap<>();

    @Test
    void orderDeliveredTwiceIsAppliedOnceAndTheDuplicateIsCounted() {
        OrderPlaced event = orderPlaced("c-1");
        long skippedBefore = stats.snapshot().duplicatesSkipped();

        publish(event);
        publish(event);
        publish(sameOrderUnderAnotherEventId(event));

        await().untilAsserted(() -> assertThat(stats.snapshot().duplicatesSkipped()).isEqualTo(skippedBefore + 2));
        assertThat(jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(event.orderId())
                .query(Long.class).single()).isEqualTo(1);
        assertThat(listener.attempts(event.orderId())).isEqualTo(3);
    }

    @Test
    void handlerThatFailsTwiceIsAppliedAfterTwoRetriesWithGrowingDelays() {
        OrderPlaced event = orderPlaced(TestWorkerApplication.FAILS_TWICE);
        long retriesBefore = stats.snapshot().retries();

        publish(event);

        await().until(() -> processedRow(event.orderId()) != null);
        List<Long> at = listener.attemptsAt.get(event.orderId());
        assertThat(at).hasSize(3);
        Duration firstDelay = Duration.ofNanos(at.get(1) - at.get(0));
        Duration secondDelay = Duration.ofNanos(at.get(2) - at.get(1));
        // initial 100 ms +/- 10 ms, then x3: 300 ms +/- 30 ms
        assertThat(firstDelay).isBetween(Duration.ofMillis(85), Duration.ofMillis(250));
        assertThat(secondDelay).isGreaterThan(firstDelay.multipliedBy(2)).isGreaterThan(Duration.ofMillis(260));
        assertThat(stats.snapshot().retries()).isEqualTo(retriesBefore + 2);
        assertThat(deadLetters).doesNotContainKey(event.orderId().toString());
        assertThat(rabbit.receive(DLQ, 300)).isNull();
    }

    @Test
    void alwaysFailingMessageIsDeadLetteredWithItsReasonAfterTheConfiguredAttempts() {
        OrderPlaced event = orderPlaced(TestWorkerApplication.ALWAYS_FAILS);
        long deadLetteredBefore = stats.snapshot().deadLettered();

        publish(event);

        Message dead = awaitDeadLetter(event.orderId());
        MessageProperties headers = dead.getMessageProperties();
        assertThat(headers.<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(event.orderId().toString());
        assertThat(headers.<String>getHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS)).isEqualTo(IllegalStateException.class.getName());
        assertThat(headers.<String>getHeader("x-exception-message")).isEqualTo("Downstream always fails");
        assertThat(headers.<Object>getHeader(DeadLetterRecoverer.X_ATTEMPTS)).isEqualTo(4);
        assertThat(String.valueOf(headers.<Object>getHeader("x-exception-stacktrace"))).contains("IllegalStateException: Downstream always fails");
        assertThat(headers.<String>getHeader(DeadLetterRecoverer.X_FAILED_QUEUE)).isEqualTo(QUEUE);
        assertThat(new String(dead.getBody(), StandardCharsets.UTF_8)).contains(event.orderId().toString());
        assertThat(listener.attempts(event.orderId())).isEqualTo(4);
        assertThat(processedRow(event.orderId())).isNull();
        assertThat(stats.snapshot().deadLettered()).isEqualTo(deadLetteredBefore + 1);
    }

    @Test
    void malformedJsonIsDeadLetteredAtOnceWithoutRetries() {
        String orderId = UUID.randomUUID().toString();
        long retriesBefore = stats.snapshot().retries();

        publishRaw("{\"eventId\": \"not even json", OrderPlaced.TYPE, OrderPlaced.VERSION, orderId);

        Message dead = awaitDeadLetter(orderId);
        assertThat(dead.getMessageProperties().<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(orderId);
        assertThat(dead.getMessageProperties().<String>getHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS))
                .isEqualTo(UnreadableEventException.class.getName());
        assertThat(dead.getMessageProperties().<String>getHeader("x-exception-message")).startsWith("Malformed order.placed body");
        assertThat(dead.getMessageProperties().<Object>getHeader(DeadLetterRecoverer.X_ATTEMPTS)).isEqualTo(1);
        assertThat(stats.snapshot().retries()).isEqualTo(retriesBefore);
    }

    @Test
    void unknownEventVersionIsDeadLetteredAtOnce() {
        OrderPlaced event = orderPlaced("c-2");

        publishRaw(new String(rabbit.getMessageConverter().toMessage(event, new MessageProperties()).getBody(), StandardCharsets.UTF_8),
                OrderPlaced.TYPE, 2, event.orderId().toString());

        Message dead = awaitDeadLetter(event.orderId());
        assertThat(dead.getMessageProperties().<String>getHeader("x-exception-message")).contains("version 2");
        assertThat(dead.getMessageProperties().<Object>getHeader(DeadLetterRecoverer.X_ATTEMPTS)).isEqualTo(1);
        assertThat(listener.attempts(event.orderId())).isZero();
    }

    @Test
    void invalidEventIsDeadLetteredAtOnce() {
        OrderPlaced wrongTotal = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-3", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("1.00"), "EUR", Instant.now());

        publish(wrongTotal);

        Message dead = awaitDeadLetter(wrongTotal.orderId());
        assertThat(dead.getMessageProperties().<String>getHeader("x-exception-message")).contains("is not the sum of the lines");
        assertThat(listener.attempts(wrongTotal.orderId())).isZero();
    }

    @Test
    void exceptionConfiguredAsNotRetryableIsDeadLetteredAtOnce() {
        OrderPlaced event = orderPlaced(TestWorkerApplication.NOT_RETRYABLE);

        publish(event);

        Message dead = awaitDeadLetter(event.orderId());
        assertThat(dead.getMessageProperties().<String>getHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS))
                .isEqualTo(IllegalArgumentException.class.getName());
        assertThat(dead.getMessageProperties().<Object>getHeader(DeadLetterRecoverer.X_ATTEMPTS)).isEqualTo(1);
        assertThat(listener.attempts(event.orderId())).isEqualTo(1);
    }

    @Test
    void consumerThatCrashesOnAMessageAgainAndAgainIsStoppedByTheDeliveryLimit() {
        OrderPlaced event = orderPlaced("c-4");
        WorkerProperties.Faults before = faults.get();
        faults.set(new WorkerProperties.Faults(0, Duration.ZERO, 1.0));
        try {
            publish(event);

            Message dead = awaitDeadLetter(event.orderId());
            assertThat(dead.getMessageProperties().<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(event.orderId().toString());
            // Dead-lettered by the broker (x-death), not by the worker (which adds x-exception-class).
            assertThat(dead.getMessageProperties().<Object>getHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS)).isNull();
            List<Map<String, ?>> deaths = dead.getMessageProperties().getXDeathHeader();
            assertThat(deaths).isNotNull();
            assertThat(deaths.get(0).get("reason")).isEqualTo("delivery_limit");
            assertThat(deaths.get(0).get("queue")).isEqualTo(QUEUE);
        }
        finally {
            faults.set(before);
        }
        assertThat(listener.attempts(event.orderId())).isZero();
        assertThat(processedRow(event.orderId())).isNull();
    }

    @Test
    void failureRateKnobMakesAttemptsFailAndRetry() {
        OrderPlaced event = orderPlaced("c-6");
        WorkerProperties.Faults before = faults.get();
        faults.set(new WorkerProperties.Faults(1.0, Duration.ofMillis(20), 0));
        try {
            publish(event);

            Message dead = awaitDeadLetter(event.orderId());
            assertThat(dead.getMessageProperties().<String>getHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS))
                    .isEqualTo(FaultInjector.SimulatedFailureException.class.getName());
            assertThat(dead.getMessageProperties().<Object>getHeader(DeadLetterRecoverer.X_ATTEMPTS)).isEqualTo(4);
        }
        finally {
            faults.set(before);
        }
        assertThat(listener.attempts(event.orderId())).isZero();
    }

    @Test
    void statsAndProcessedOrdersAreServedOverHttp() {
        OrderPlaced event = orderPlaced("c-5");
        RestClient http = http();
        assertThat(http.get().uri("/api/processed/{id}", event.orderId()).retrieve().toBodilessEntity().getStatusCode().value())
                .isEqualTo(404);

        publish(event);

        await().until(() -> http.get().uri("/api/processed/{id}", event.orderId()).retrieve().toBodilessEntity()
                .getStatusCode().is2xxSuccessful());
        JsonNode processed = http.get().uri("/api/processed/{id}", event.orderId()).retrieve().body(JsonNode.class);
        assertThat(processed.get("orderId").asString()).isEqualTo(event.orderId().toString());
        assertThat(processed.get("outcome").asString()).isEqualTo("applied");
        assertThat(processed.get("processedAt").asString()).isNotBlank();
        JsonNode stats = http.get().uri("/api/stats").retrieve().body(JsonNode.class);
        assertThat(stats.propertyNames()).contains("processed", "duplicatesSkipped", "retries", "deadLettered");
        assertThat(stats.get("processed").asLong()).isPositive();
        String prometheus = http.get().uri("/actuator/prometheus").retrieve().body(String.class);
        assertThat(prometheus).contains("flashsale_worker_processed_total", "flashsale_worker_duplicates_skipped_total",
                "flashsale_worker_retries_total", "flashsale_worker_dead_lettered_total");
    }

    @Test
    void faultKnobsNeedCredentials() {
        RestClient http = http();
        String change = "{\"failureRate\":0.0,\"latency\":\"PT0S\",\"crashRate\":0.0}";

        ResponseEntity<Void> anonymous = http.put().uri("/api/admin/faults").contentType(MediaType.APPLICATION_JSON)
                .body(change).retrieve().toBodilessEntity();
        ResponseEntity<Void> wrong = http.put().uri("/api/admin/faults").headers(h -> h.setBasicAuth("test-admin", "wrong"))
                .contentType(MediaType.APPLICATION_JSON).body(change).retrieve().toBodilessEntity();
        ResponseEntity<JsonNode> admin = http.put().uri("/api/admin/faults").headers(h -> h.setBasicAuth("test-admin", "test-secret"))
                .contentType(MediaType.APPLICATION_JSON).body(change).retrieve().toEntity(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        assertThat(admin.getStatusCode().value()).isEqualTo(200);
        assertThat(admin.getBody().get("failureRate").asDouble()).isZero();
    }

    @Test
    void deadLettersAreReplayedToTheWorkersQueueByAnAdmin() {
        OrderPlaced event = orderPlaced("c-7");
        Message dead = rabbit.getMessageConverter().toMessage(event, new MessageProperties());
        dead.getMessageProperties().setHeader(DeadLetterRecoverer.X_ATTEMPTS, 4);
        rabbit.send("", DLQ, dead);
        RestClient http = http();

        ResponseEntity<Void> anonymous = http.post().uri("/api/admin/dlq/replay").retrieve().toBodilessEntity();
        JsonNode replayed = http.post().uri("/api/admin/dlq/replay?max=10").headers(h -> h.setBasicAuth("test-admin", "test-secret"))
                .retrieve().body(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(replayed.get("replayed").asInt()).isEqualTo(1);
        await().until(() -> "applied".equals(processedRow(event.orderId())));
        assertThat(rabbit.receive(DLQ)).isNull();
    }

    @Test
    void dedupRowsOlderThanTheRetentionArePurged() {
        UUID old = UUID.randomUUID();
        UUID recent = UUID.randomUUID();
        insertProcessedRow(old, Instant.now().minus(Duration.ofDays(8)));
        insertProcessedRow(recent, Instant.now().minus(Duration.ofDays(6)));

        purger.purge();

        assertThat(processedRow(old)).isNull();
        assertThat(processedRow(recent)).isNotNull();
    }

    private void publish(OrderPlaced event) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event);
    }

    private void publishRaw(String body, String type, int version, String orderId) {
        MessageProperties properties = new MessageProperties();
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setMessageId(UUID.randomUUID().toString());
        properties.setHeader(EventHeaders.EVENT_TYPE, type);
        properties.setHeader(EventHeaders.EVENT_VERSION, version);
        properties.setHeader(EventHeaders.ORDER_ID, orderId);
        rabbit.send(Topology.ORDERS_EXCHANGE, "", new Message(body.getBytes(StandardCharsets.UTF_8), properties));
    }

    /** Waits for the dead letter of an order, keeping any other one that arrives for the test it belongs to. */
    private Message awaitDeadLetter(Object orderId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            for (Message message = rabbit.receive(DLQ); message != null; message = rabbit.receive(DLQ)) {
                deadLetters.put(message.getMessageProperties().getHeader(EventHeaders.ORDER_ID), message);
            }
            return deadLetters.containsKey(orderId.toString());
        });
        return deadLetters.remove(orderId.toString());
    }

    private String processedRow(UUID orderId) {
        return jdbc.sql("SELECT outcome FROM processed_order WHERE order_id = ?").param(orderId).query(String.class).optional().orElse(null);
    }

    private void insertProcessedRow(UUID orderId, Instant at) {
        jdbc.sql("INSERT INTO processed_order (order_id, event_id, processed_at, outcome) VALUES (?, ?, ?, 'applied')")
                .params(orderId, UUID.randomUUID(), Timestamp.from(at)).update();
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    private static OrderPlaced sameOrderUnderAnotherEventId(OrderPlaced event) {
        return new OrderPlaced(UUID.randomUUID(), event.orderId(), event.customer(), event.lines(), event.total(),
                event.currency(), event.occurredAt());
    }

    static OrderPlaced orderPlaced(String customerId) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer(customerId, "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("19.98"), "EUR", Instant.now());
    }
}
