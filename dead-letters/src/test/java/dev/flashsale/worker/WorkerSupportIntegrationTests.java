package dev.flashsale.worker;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.security.MissingAdminPasswordException;
import dev.flashsale.worker.demo.FaultInjector;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.client.RestClient;

import static dev.flashsale.worker.TestWorkerApplication.orderPlaced;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The shared worker machinery against the real broker and a real H2 database: dedup, retries with
 * backoff, dead-lettering with the reason into the {@code dead_letter} table, and the broker's delivery
 * limit as the last safety net.
 */
@WorkerSupportTest
class WorkerSupportIntegrationTests {

    private static final String QUEUE = Topology.EMAIL_QUEUE;
    private static final String DLQ = Topology.deadLetterQueue(QUEUE);

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    TestWorkerApplication.OrderHandler listener;

    @Autowired
    WorkerStats stats;

    @Autowired
    FaultInjector faults;

    @Autowired
    DedupPurger purger;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    MeterRegistry meters;

    @LocalServerPort
    int port;

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
        assertThat(listener.effects(event.orderId())).isEqualTo(1);
        // The pipeline skips a duplicate before the handler: the handler never sees the two other copies.
        assertThat(listener.attempts(event.orderId())).isEqualTo(1);
    }

    @Test
    void theEndToEndDelayIsRecordedOncePerOrderAppliedFromItsCheckoutAndNotForADuplicate() {
        // Placed 5 s ago, as an order that waited in the queue: the delay runs from its checkout, not from its delivery.
        OrderPlaced event = orderPlaced("c-13", Instant.now().minusSeconds(5));
        Timer endToEnd = meters.get(WorkerStats.END_TO_END).tag("queue", QUEUE).timer();
        long countBefore = endToEnd.count();
        double secondsBefore = endToEnd.totalTime(TimeUnit.SECONDS);
        long skippedBefore = stats.snapshot().duplicatesSkipped();

        publish(event);
        await().until(() -> processedRow(event.orderId()) != null);
        publish(event);

        await().untilAsserted(() -> assertThat(stats.snapshot().duplicatesSkipped()).isEqualTo(skippedBefore + 1));
        assertThat(endToEnd.count()).isEqualTo(countBefore + 1);
        assertThat(endToEnd.totalTime(TimeUnit.SECONDS) - secondsBefore).isBetween(5.0, 35.0);
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
        // initial 100 ms +/- 10 ms, then x3: 300 ms +/- 30 ms. Lower bounds only: a delay can only come out longer than
        // asked (a busy machine, a pause of the garbage collector), so an upper bound would test the machine.
        assertThat(firstDelay).isGreaterThanOrEqualTo(Duration.ofMillis(90));
        assertThat(secondDelay).isGreaterThanOrEqualTo(Duration.ofMillis(270));
        assertThat(stats.snapshot().retries()).isEqualTo(retriesBefore + 2);
        assertThat(deadLetterRows(event.orderId())).isZero();
    }

    @Test
    void alwaysFailingMessageIsDeadLetteredWithItsReasonAfterTheConfiguredAttempts() {
        OrderPlaced event = orderPlaced(TestWorkerApplication.ALWAYS_FAILS);
        long deadLetteredBefore = stats.snapshot().deadLettered();
        Instant published = Instant.now();

        publish(event);

        Map<String, Object> dead = awaitDeadLetter(event.orderId());
        assertThat(dead.get("event_id")).isEqualTo(event.eventId().toString());
        assertThat(dead.get("dead_lettered_by")).isEqualTo("worker");
        assertThat(dead.get("exception_class")).isEqualTo(IllegalStateException.class.getName());
        assertThat(dead.get("exception_message")).isEqualTo("Downstream always fails");
        assertThat((String) dead.get("thrown_at"))
                .startsWith(TestWorkerApplication.OrderHandler.class.getName() + ".apply(TestWorkerApplication.java:");
        assertThat(dead.get("attempts")).isEqualTo(4);
        assertThat(dead.get("replay_count")).isEqualTo(0);
        assertThat((String) dead.get("stack_trace")).contains("IllegalStateException: Downstream always fails");
        // Four attempts, 100 + 300 + 900 ms apart (with jitter): the first failure is well before the last.
        Instant first = instant(dead.get("first_failed_at"));
        Instant last = instant(dead.get("last_failed_at"));
        assertThat(first).isAfterOrEqualTo(published.minusSeconds(1)).isBefore(last.minusMillis(1000));
        assertThat(last).isBeforeOrEqualTo(Instant.now());
        assertThat(new String((byte[]) dead.get("payload"), StandardCharsets.UTF_8)).contains(event.orderId().toString());
        assertThat((String) dead.get("headers")).contains(EventHeaders.EVENT_TYPE, EventHeaders.ORDER_ID)
                .doesNotContain("x-exception", DeadLetterRecoverer.X_ATTEMPTS);
        assertThat(listener.attempts(event.orderId())).isEqualTo(4);
        assertThat(processedRow(event.orderId())).isNull();
        // Counted once the broker has confirmed the dead letter, which can be after the DLQ's consumer has parked it.
        await().untilAsserted(() -> assertThat(stats.snapshot().deadLettered()).isEqualTo(deadLetteredBefore + 1));
        // Moved off the broker: the DLQ itself stays empty, the table is where dead letters wait.
        await().until(() -> admin.getQueueInfo(DLQ).getMessageCount() == 0);
    }

    @Test
    void malformedJsonIsDeadLetteredAtOnceWithoutRetries() {
        String orderId = UUID.randomUUID().toString();
        long retriesBefore = stats.snapshot().retries();

        publishRaw("{\"eventId\": \"not even json", OrderPlaced.TYPE, OrderPlaced.VERSION, orderId);

        Map<String, Object> dead = awaitDeadLetter(orderId);
        assertThat(dead.get("exception_class")).isEqualTo(UnreadableEventException.class.getName());
        assertThat((String) dead.get("exception_message")).startsWith("Malformed order.placed body");
        assertThat((String) dead.get("thrown_at")).startsWith(OrderPlacedMessageConverter.class.getName() + ".read(");
        assertThat(dead.get("attempts")).isEqualTo(1);
        // One attempt: it failed and was dead-lettered within moments.
        assertThat(instant(dead.get("first_failed_at"))).isBeforeOrEqualTo(instant(dead.get("last_failed_at")))
                .isAfter(instant(dead.get("last_failed_at")).minusSeconds(1));
        assertThat(new String((byte[]) dead.get("payload"), StandardCharsets.UTF_8)).isEqualTo("{\"eventId\": \"not even json");
        assertThat(stats.snapshot().retries()).isEqualTo(retriesBefore);
    }

    @Test
    void unknownEventVersionIsDeadLetteredAtOnce() {
        OrderPlaced event = orderPlaced("c-2");

        publishRaw(new String(rabbit.getMessageConverter().toMessage(event, new MessageProperties()).getBody(), StandardCharsets.UTF_8),
                OrderPlaced.TYPE, 2, event.orderId().toString());

        Map<String, Object> dead = awaitDeadLetter(event.orderId());
        assertThat((String) dead.get("exception_message")).contains("version 2");
        assertThat(dead.get("attempts")).isEqualTo(1);
        assertThat(listener.attempts(event.orderId())).isZero();
    }

    @Test
    void invalidEventIsDeadLetteredAtOnce() {
        OrderPlaced wrongTotal = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-3", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("1.00"), "EUR", Instant.now());

        publish(wrongTotal);

        Map<String, Object> dead = awaitDeadLetter(wrongTotal.orderId());
        assertThat((String) dead.get("exception_message")).contains("is not the sum of the lines");
        assertThat(listener.attempts(wrongTotal.orderId())).isZero();
    }

    @Test
    void exceptionConfiguredAsNotRetryableIsDeadLetteredAtOnce() {
        OrderPlaced event = orderPlaced(TestWorkerApplication.NOT_RETRYABLE);

        publish(event);

        Map<String, Object> dead = awaitDeadLetter(event.orderId());
        assertThat(dead.get("exception_class")).isEqualTo(IllegalArgumentException.class.getName());
        assertThat(dead.get("attempts")).isEqualTo(1);
        assertThat(listener.attempts(event.orderId())).isEqualTo(1);
    }

    @Test
    void consumerThatCrashesOnAMessageAgainAndAgainIsStoppedByTheDeliveryLimit() {
        OrderPlaced event = orderPlaced("c-4");
        WorkerProperties.Faults before = faults.get();
        Instant published = Instant.now();
        faults.set(new WorkerProperties.Faults(0, Duration.ZERO, 1.0));
        try {
            publish(event);

            Map<String, Object> dead = awaitDeadLetter(event.orderId());
            // Dead-lettered by the broker (x-death), not by the worker (which would have said which exception).
            assertThat(dead.get("dead_lettered_by")).isEqualTo("broker");
            assertThat(dead.get("broker_reason")).isEqualTo("delivery_limit");
            assertThat(dead.get("exception_class")).isNull();
            assertThat(dead.get("attempts")).isNull();
            // x-death's time, which the broker gives in whole seconds.
            assertThat(instant(dead.get("first_failed_at"))).isAfterOrEqualTo(published.minusSeconds(2));
            JsonNode group = groupOf(dead);
            assertThat(group.get("deadLetteredBy").asString()).isEqualTo("broker");
            assertThat(group.get("brokerReason").asString()).isEqualTo("delivery_limit");
            assertThat(group.get("sampleMessage").asString()).isEqualTo("delivery limit exceeded");
            assertThat(group.get("exceptionClass").isNull()).isTrue();
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

            Map<String, Object> dead = awaitDeadLetter(event.orderId());
            assertThat(dead.get("exception_class")).isEqualTo(FaultInjector.SimulatedFailureException.class.getName());
            assertThat(dead.get("attempts")).isEqualTo(4);
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
        long parkedBefore = jdbc.sql("SELECT COUNT(*) FROM dead_letter").query(Long.class).single();
        JsonNode stats = http.get().uri("/api/stats").retrieve().body(JsonNode.class);
        long parkedAfter = jdbc.sql("SELECT COUNT(*) FROM dead_letter").query(Long.class).single();
        assertThat(stats.propertyNames()).contains("processed", "duplicatesSkipped", "retries", "deadLettered", "deadLettersParked");
        assertThat(stats.get("processed").asLong()).isPositive();
        // The table's count at that moment (this class only ever adds dead letters, so it lies between the two).
        assertThat(stats.get("deadLettersParked").asLong()).isBetween(parkedBefore, parkedAfter);
        String prometheus = http.get().uri("/actuator/prometheus").retrieve().body(String.class);
        assertThat(prometheus).contains("flashsale_worker_processed_total", "flashsale_worker_duplicates_skipped_total",
                "flashsale_worker_retries_total", "flashsale_worker_dead_lettered_total", "flashsale_worker_dead_letters_parked",
                "flashsale_worker_consuming{queue=\"" + QUEUE + "\"}", "flashsale_worker_consumers{queue=\"" + QUEUE + "\"}",
                "flashsale_worker_end_to_end_seconds_bucket{queue=\"" + QUEUE + "\",le=\"0.001\"}",
                "flashsale_worker_end_to_end_seconds_bucket{queue=\"" + QUEUE + "\",le=\"+Inf\"}",
                "flashsale_worker_end_to_end_seconds_count{queue=\"" + QUEUE + "\"}",
                "flashsale_worker_end_to_end_seconds_sum{queue=\"" + QUEUE + "\"}");
    }

    @Test
    void faultKnobsNeedCredentialsAndARefusedChangeChangesNothing() {
        RestClient http = http();
        WorkerProperties.Faults before = faults.get();
        String change = "{\"failureRate\":0.5,\"latency\":\"PT0S\",\"crashRate\":0.0}";

        ResponseEntity<Void> anonymous = http.put().uri("/api/admin/faults").contentType(MediaType.APPLICATION_JSON)
                .body(change).retrieve().toBodilessEntity();
        ResponseEntity<Void> wrong = http.put().uri("/api/admin/faults").headers(h -> h.setBasicAuth(WorkerSupportTest.ADMIN, "wrong"))
                .contentType(MediaType.APPLICATION_JSON).body(change).retrieve().toBodilessEntity();

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        assertThat(faults.get()).isEqualTo(before);

        try {
            ResponseEntity<JsonNode> admin = http.put().uri("/api/admin/faults").headers(this::admin)
                    .contentType(MediaType.APPLICATION_JSON).body(change).retrieve().toEntity(JsonNode.class);
            ResponseEntity<JsonNode> invalid = http.put().uri("/api/admin/faults").headers(this::admin)
                    .contentType(MediaType.APPLICATION_JSON).body("{\"failureRate\":2,\"latency\":\"PT0S\",\"crashRate\":0}")
                    .retrieve().toEntity(JsonNode.class);

            assertThat(admin.getStatusCode().value()).isEqualTo(200);
            assertThat(admin.getBody().get("failureRate").asDouble()).isEqualTo(0.5);
            assertThat(invalid.getStatusCode().value()).isEqualTo(400);
            assertThat(invalid.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
            assertThat(faults.get().failureRate()).isEqualTo(0.5);
        }
        finally {
            faults.set(before);
        }
    }

    @Test
    void withoutAnAdminPasswordOutsideTheLocalProfileAWorkerRefusesToStart() {
        SpringApplication worker = new SpringApplication(TestWorkerApplication.class);

        // Refused before anything is started: no port, no database, no broker connection (and should it start
        // after all, it does so in memory, not in ./data).
        assertThatThrownBy(() -> worker.run("--spring.security.user.password=", "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:refused"))
                .isInstanceOf(MissingAdminPasswordException.class);
    }

    @Test
    void orderSentOverHttpIsAppliedOnceAnsweredCreatedThenOk() {
        OrderPlaced event = orderPlaced("c-8");
        long skippedBefore = stats.snapshot().duplicatesSkipped();
        RestClient http = http();

        ResponseEntity<JsonNode> first = putOrder(http, event);
        ResponseEntity<JsonNode> again = putOrder(http, sameOrderUnderAnotherEventId(event));

        assertThat(first.getStatusCode().value()).isEqualTo(201);
        assertThat(first.getHeaders().getLocation()).hasToString("/api/processed/" + event.orderId());
        assertThat(first.getBody().get("outcome").asString()).isEqualTo("applied");
        assertThat(again.getStatusCode().value()).isEqualTo(200);
        assertThat(again.getBody().get("eventId").asString()).isEqualTo(event.eventId().toString());
        assertThat(jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(event.orderId())
                .query(Long.class).single()).isEqualTo(1);
        assertThat(stats.snapshot().duplicatesSkipped()).isEqualTo(skippedBefore + 1);
    }

    @Test
    void orderSentOverHttpWithoutTheServiceCredentialsIsRefusedWithAProblemAndNotApplied() {
        OrderPlaced event = orderPlaced("c-12");
        RestClient http = http();
        long processedBefore = stats.snapshot().processed();

        ResponseEntity<JsonNode> anonymous = http.put().uri("/api/processed/{id}", event.orderId())
                .contentType(MediaType.APPLICATION_JSON).body(event).retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> wrong = http.put().uri("/api/processed/{id}", event.orderId())
                .headers(h -> h.setBasicAuth(WorkerSupportTest.SERVICE, "wrong")).contentType(MediaType.APPLICATION_JSON).body(event)
                .retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> asAdmin = http.put().uri("/api/processed/{id}", event.orderId()).headers(this::admin)
                .contentType(MediaType.APPLICATION_JSON).body(event).retrieve().toEntity(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(anonymous.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        // The admin runs the system, and is not a service: applying an order is not an admin operation.
        assertThat(asAdmin.getStatusCode().value()).isEqualTo(403);
        assertThat(asAdmin.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(processedRow(event.orderId())).isNull();
        assertThat(listener.attempts(event.orderId())).isZero();
        assertThat(stats.snapshot().processed()).isEqualTo(processedBefore);
    }

    @Test
    void orderAppliedOverHttpIsSkippedWhenTheQueueDeliversItToo() {
        OrderPlaced event = orderPlaced("c-9");
        long skippedBefore = stats.snapshot().duplicatesSkipped();

        assertThat(putOrder(http(), event).getStatusCode().value()).isEqualTo(201);
        publish(event);

        await().untilAsserted(() -> assertThat(stats.snapshot().duplicatesSkipped()).isEqualTo(skippedBefore + 1));
        // The pipeline skips the queue's copy before the handler: it is called once, for the HTTP call.
        assertThat(listener.attempts(event.orderId())).isEqualTo(1);
    }

    @Test
    void invalidOrderSentOverHttpIsRefusedAndNotApplied() {
        OrderPlaced event = orderPlaced("c-10");
        OrderPlaced wrongTotal = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), event.customer(), event.lines(),
                new BigDecimal("1.00"), "EUR", Instant.now());
        RestClient http = http();

        ResponseEntity<JsonNode> otherOrder = http.put().uri("/api/processed/{id}", UUID.randomUUID()).headers(this::service)
                .contentType(MediaType.APPLICATION_JSON).body(event).retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> invalid = putOrder(http, wrongTotal);

        assertThat(otherOrder.getStatusCode().value()).isEqualTo(400);
        assertThat(invalid.getStatusCode().value()).isEqualTo(400);
        assertThat(invalid.getBody().get("detail").asString()).contains("is not the sum of the lines");
        assertThat(processedRow(event.orderId())).isNull();
        assertThat(processedRow(wrongTotal.orderId())).isNull();
    }

    @Test
    void failingHandlerOrFaultKnobAnswers503OverHttpWithoutRetryOrDeadLetter() {
        OrderPlaced failing = orderPlaced(TestWorkerApplication.ALWAYS_FAILS);
        OrderPlaced healthy = orderPlaced("c-11");
        long deadLetteredBefore = stats.snapshot().deadLettered();
        RestClient http = http();

        ResponseEntity<JsonNode> handlerFailed = putOrder(http, failing);
        WorkerProperties.Faults before = faults.get();
        faults.set(new WorkerProperties.Faults(1.0, Duration.ZERO, 0));
        ResponseEntity<JsonNode> knobFailed;
        try {
            knobFailed = putOrder(http, healthy);
        }
        finally {
            faults.set(before);
        }

        assertThat(handlerFailed.getStatusCode().value()).isEqualTo(503);
        assertThat(handlerFailed.getBody().get("detail").asString()).contains("Downstream always fails");
        assertThat(listener.attempts(failing.orderId())).isEqualTo(1);
        assertThat(knobFailed.getStatusCode().value()).isEqualTo(503);
        assertThat(knobFailed.getBody().get("detail").asString()).contains("Simulated failure");
        assertThat(processedRow(healthy.orderId())).isNull();
        assertThat(stats.snapshot().deadLettered()).isEqualTo(deadLetteredBefore);
        assertThat(putOrder(http, healthy).getStatusCode().value()).isEqualTo(201);
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

    /** Waits until the dead letter of an order is in the {@code dead_letter} table, and returns its row. */
    private Map<String, Object> awaitDeadLetter(Object orderId) {
        await().atMost(Duration.ofSeconds(30)).until(() -> deadLetterRows(orderId) > 0);
        return jdbc.sql("SELECT * FROM dead_letter WHERE order_id = ?").param(orderId.toString()).query().singleRow().entrySet()
                .stream().collect(HashMap::new, (map, column) -> map.put(column.getKey().toLowerCase(Locale.ROOT), column.getValue()),
                        HashMap::putAll);
    }

    private long deadLetterRows(Object orderId) {
        return jdbc.sql("SELECT COUNT(*) FROM dead_letter WHERE order_id = ?").param(orderId.toString()).query(Long.class).single();
    }

    private JsonNode groupOf(Map<String, Object> deadLetter) {
        for (JsonNode group : http().get().uri("/api/admin/dead-letters/groups").headers(this::admin).retrieve().body(JsonNode.class)) {
            if (group.get("group").asString().equals(deadLetter.get("failure_group"))) {
                return group;
            }
        }
        throw new AssertionError("No group " + deadLetter.get("failure_group"));
    }

    private static Instant instant(Object timestamp) {
        return timestamp instanceof OffsetDateTime time ? time.toInstant() : ((Timestamp) timestamp).toInstant();
    }

    private void admin(HttpHeaders headers) {
        headers.setBasicAuth(WorkerSupportTest.ADMIN, WorkerSupportTest.ADMIN_PASSWORD);
    }

    private String processedRow(UUID orderId) {
        return jdbc.sql("SELECT outcome FROM processed_order WHERE order_id = ?").param(orderId).query(String.class).optional().orElse(null);
    }

    private void insertProcessedRow(UUID orderId, Instant at) {
        jdbc.sql("INSERT INTO processed_order (order_id, event_id, processed_at, outcome) VALUES (?, ?, ?, 'applied')")
                .params(orderId, UUID.randomUUID(), Timestamp.from(at)).update();
    }

    /** The synchronous checkout's call, as the order-service makes it: with the service credentials. */
    private ResponseEntity<JsonNode> putOrder(RestClient http, OrderPlaced event) {
        return http.put().uri("/api/processed/{id}", event.orderId()).headers(this::service).contentType(MediaType.APPLICATION_JSON)
                .body(event).retrieve().toEntity(JsonNode.class);
    }

    private void service(HttpHeaders headers) {
        headers.setBasicAuth(WorkerSupportTest.SERVICE, WorkerSupportTest.SERVICE_PASSWORD);
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
}
