package dev.flashsale.worker;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.worker.demo.ConsumptionSwitch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stopping, resuming and capping consumption over HTTP, against the real broker: messages wait in the queue meanwhile.
 */
@WorkerSupportTest
class ConsumptionSwitchControllerTests {

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    TestWorkerApplication.OrderHandler listener;

    @Autowired
    ConsumptionSwitch consumption;

    @LocalServerPort
    int port;

    @Autowired
    RateCap rateCap;

    @AfterEach
    void consumeAgain() {
        rateCap.set(null);
        consumption.resume();
    }

    @Test
    void messagesPublishedWhileConsumptionIsStoppedWaitInTheQueueAndAreAppliedOnceItResumes() {
        ResponseEntity<JsonNode> stopped = change("{\"consuming\":false}", true);

        assertThat(stopped.getStatusCode().value()).isEqualTo(200);
        assertThat(stopped.getBody().get("consuming").asBoolean()).isFalse();
        assertThat(stats().get("consuming").asBoolean()).isFalse();
        assertThat(http().get().uri("/actuator/prometheus").retrieve().body(String.class))
                .contains("flashsale_worker_consumers{queue=\"" + Topology.EMAIL_QUEUE + "\"} 0.0");
        List<OrderPlaced> events = Stream.generate(() -> TestWorkerApplication.orderPlaced("c-paused")).limit(3).toList();
        events.forEach(event -> rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event));

        await().until(() -> admin.getQueueInfo(Topology.EMAIL_QUEUE).getMessageCount() == events.size());
        assertThat(events).allSatisfy(event -> assertThat(listener.attempts(event.orderId())).isZero());

        ResponseEntity<JsonNode> resumed = change("{\"consuming\":true}", true);

        assertThat(resumed.getBody().get("consuming").asBoolean()).isTrue();
        await().untilAsserted(() -> assertThat(events).allSatisfy(event ->
                assertThat(http().get().uri("/api/processed/{id}", event.orderId()).retrieve().toBodilessEntity()
                        .getStatusCode().value()).isEqualTo(200)));
        assertThat(stats().get("consuming").asBoolean()).isTrue();
        assertThat(http().get().uri("/actuator/prometheus").retrieve().body(String.class))
                .contains("flashsale_worker_consuming{queue=\"" + Topology.EMAIL_QUEUE + "\"} 1.0");
        // What the broker counts on the work queue and the express queue (each container's consumers start one by one).
        await().untilAsserted(() -> assertThat(consumption.consumers()).isPositive()
                .isEqualTo(admin.getQueueInfo(Topology.EMAIL_QUEUE).getConsumerCount()
                        + admin.getQueueInfo(Topology.EMAIL_EXPRESS_QUEUE).getConsumerCount()));
    }

    @Test
    void withoutCredentialsWithWrongOnesOrWithBadInputConsumptionIsNotChanged() {
        ResponseEntity<JsonNode> anonymous = change("{\"consuming\":false}", false);
        ResponseEntity<JsonNode> wrong = http().put().uri("/api/admin/consumption")
                .headers(h -> h.setBasicAuth(WorkerSupportTest.ADMIN, "wrong")).contentType(MediaType.APPLICATION_JSON)
                .body("{\"consuming\":false}").retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> missing = change("{}", true);
        ResponseEntity<JsonNode> notABoolean = change("{\"consuming\":\"maybe\"}", true);
        ResponseEntity<JsonNode> malformed = change("{\"consuming\":", true);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        for (ResponseEntity<JsonNode> bad : List.of(missing, notABoolean, malformed)) {
            assertThat(bad.getStatusCode().value()).isEqualTo(400);
            assertThat(bad.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        }
        assertThat(consumption.consuming()).isTrue();
        assertThat(http().get().uri("/api/admin/consumption").headers(h -> h.setBasicAuth(WorkerSupportTest.ADMIN,
                WorkerSupportTest.ADMIN_PASSWORD)).retrieve().body(JsonNode.class).get("consuming").asBoolean()).isTrue();
    }

    @Test
    void underARateCapABacklogDrainsNoFasterThanTheCapAndTheCapCanBeTakenOff() {
        change("{\"consuming\":false}", true);
        List<OrderPlaced> events = Stream.generate(() -> TestWorkerApplication.orderPlaced("c-capped")).limit(100).toList();
        events.forEach(event -> rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event));
        await().until(() -> admin.getQueueInfo(Topology.EMAIL_QUEUE).getMessageCount() == events.size());

        long beforeTheCap = System.nanoTime();
        ResponseEntity<JsonNode> capped = capTo("{\"perSecond\":40}", true);
        change("{\"consuming\":true}", true);

        assertThat(capped.getStatusCode().value()).isEqualTo(200);
        assertThat(capped.getBody().get("perSecond").asInt()).isEqualTo(40);
        assertThat(stats().get("maxRatePerSecond").asInt()).isEqualTo(40);
        assertThat(http().get().uri("/actuator/prometheus").retrieve().body(String.class))
                .contains("flashsale_worker_max_rate{queue=\"" + Topology.EMAIL_QUEUE + "\"} 40.0");
        await().untilAsserted(() -> assertThat(events).allSatisfy(event -> assertThat(listener.attempts(event.orderId())).isOne()));
        // A batch goes when its predecessors are paid for, at 40 a second, counted from the first batch's go, which is
        // after the cap was set (consumption resumed only then): whatever the batches were (up to 50), the last one went
        // after at least 50 of the 100 had been paid for, 1.25 s. Uncapped, the 100 take a few milliseconds. (Measured
        // from the first handler call instead, the bound does not hold: the first batch's go comes before it.)
        long lastStarted = events.stream().mapToLong(event -> listener.attemptsAt.get(event.orderId()).get(0)).max().orElseThrow();
        assertThat(lastStarted - beforeTheCap).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(1_250));

        ResponseEntity<JsonNode> uncapped = http().delete().uri("/api/admin/consumption/max-rate")
                .headers(h -> h.setBasicAuth(WorkerSupportTest.ADMIN, WorkerSupportTest.ADMIN_PASSWORD)).retrieve().toEntity(JsonNode.class);

        assertThat(uncapped.getStatusCode().value()).isEqualTo(200);
        assertThat(uncapped.getBody().get("perSecond").isNull()).isTrue();
        assertThat(rateCap.perSecond()).isNull();
        assertThat(stats().get("maxRatePerSecond").isNull()).isTrue();
    }

    @Test
    void aRateCapIsChangedOnlyWithCredentialsAndAValidRate() {
        rateCap.set(250);
        ResponseEntity<JsonNode> anonymous = capTo("{\"perSecond\":10}", false);
        ResponseEntity<JsonNode> anonymousDelete = http().delete().uri("/api/admin/consumption/max-rate").retrieve().toEntity(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(anonymousDelete.getStatusCode().value()).isEqualTo(401);
        for (String bad : List.of("{}", "{\"perSecond\":null}", "{\"perSecond\":0}", "{\"perSecond\":-1}", "{\"perSecond\":1000001}",
                "{\"perSecond\":2.5}", "{\"perSecond\":\"fast\"}", "{\"perSecond\":\"10\"}", "{\"perSecond\":10,\"burst\":5}",
                "{\"perSecond\":")) {
            ResponseEntity<JsonNode> refused = capTo(bad, true);
            assertThat(refused.getStatusCode().value()).as(bad).isEqualTo(400);
            assertThat(refused.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).as(bad).isTrue();
        }
        assertThat(rateCap.perSecond()).isEqualTo(250);
        assertThat(http().get().uri("/api/admin/consumption/max-rate").headers(h -> h.setBasicAuth(WorkerSupportTest.ADMIN,
                WorkerSupportTest.ADMIN_PASSWORD)).retrieve().body(JsonNode.class).get("perSecond").asInt()).isEqualTo(250);
    }

    private ResponseEntity<JsonNode> capTo(String body, boolean withCredentials) {
        return put("/api/admin/consumption/max-rate", body, withCredentials);
    }

    private ResponseEntity<JsonNode> change(String body, boolean withCredentials) {
        return put("/api/admin/consumption", body, withCredentials);
    }

    private ResponseEntity<JsonNode> put(String path, String body, boolean withCredentials) {
        return http().put().uri(path)
                .headers(h -> {
                    if (withCredentials) {
                        h.setBasicAuth(WorkerSupportTest.ADMIN, WorkerSupportTest.ADMIN_PASSWORD);
                    }
                })
                .contentType(MediaType.APPLICATION_JSON).body(body).retrieve().toEntity(JsonNode.class);
    }

    private JsonNode stats() {
        return http().get().uri("/api/stats").retrieve().body(JsonNode.class);
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }
}
