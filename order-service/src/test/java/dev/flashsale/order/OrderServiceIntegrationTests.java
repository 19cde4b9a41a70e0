package dev.flashsale.order;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.order.QueueProbe.Received;
import dev.flashsale.order.TestApi.Answer;
import dev.flashsale.security.MissingAdminPasswordException;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringApplication;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The checkout end to end: HTTP in, one persistent, confirmed message in each worker's queue out. */
@OrderServiceTest
class OrderServiceIntegrationTests {

    private static final Duration PUBLISHED_WITHIN = Duration.ofSeconds(10);

    @Autowired
    TestApi api;

    @Autowired
    QueueProbe probe;

    @Autowired
    RabbitTemplate rabbit;

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void checkoutIsAcceptedAtOnceAndLandsInEveryWorkerQueue() {
        Answer answer = api.checkout("""
                {"customer":{"id":"c-42","email":"ada@example.com"},
                 "lines":[{"sku":"SKU-1","quantity":2,"unitPrice":9.99},{"sku":"SKU-2","quantity":1,"unitPrice":0.02}],
                 "currency":"EUR"}""");

        assertThat(answer.status()).isEqualTo(202);
        UUID orderId = answer.orderId();
        assertThat(answer.json().get("status").asString()).isEqualTo("ACCEPTED");
        assertThat(answer.header("Location")).isEqualTo("/api/orders/" + orderId);

        List<Received> received = probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        assertThat(received).extracting(Received::queue).containsExactlyInAnyOrderElementsOf(Topology.WORK_QUEUES);
        for (Received message : received) {
            JsonNode body = json.readTree(message.body());
            assertThat(body.get("orderId").asString()).isEqualTo(orderId.toString());
            assertThat(body.get("customer").get("email").asString()).isEqualTo("ada@example.com");
            assertThat(body.get("lines")).hasSize(2);
            assertThat(body.get("lines").get(0).get("unitPrice").asString()).isEqualTo("9.99");
            assertThat(body.get("total").asString()).isEqualTo("20.00");
            assertThat(body.get("currency").asString()).isEqualTo("EUR");
            assertThat(message.properties().getContentType()).isEqualTo("application/json");
            assertThat(message.properties().getDeliveryMode()).as("persistent").isEqualTo(2);
            assertThat(message.properties().getMessageId()).isEqualTo(body.get("eventId").asString());
            // Header strings arrive as AMQP long strings: compare their text.
            assertThat(message.properties().getHeaders().get(EventHeaders.EVENT_TYPE)).hasToString(OrderPlaced.TYPE);
            assertThat(message.properties().getHeaders().get(EventHeaders.EVENT_VERSION)).isEqualTo(OrderPlaced.VERSION);
            assertThat(message.properties().getHeaders().get(EventHeaders.ORDER_ID)).hasToString(orderId.toString());
        }
        assertThat(received).extracting(message -> message.properties().getMessageId()).as("one event, fanned out")
                .containsOnly(received.get(0).properties().getMessageId());
    }

    @Test
    void anOrderReadsBackWithTheTotalTheServiceComputedAndBecomesPublished() {
        UUID orderId = api.checkout(TestApi.order("SKU-7", 3)).orderId();

        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(api.get("/api/orders/" + orderId).json().get("status").asString()));
        Answer order = api.get("/api/orders/" + orderId);

        assertThat(order.status()).isEqualTo(200);
        assertThat(order.json().get("orderId").asString()).isEqualTo(orderId.toString());
        assertThat(order.json().get("total").decimalValue()).isEqualByComparingTo("29.97");
        assertThat(order.json().get("lines").get(0).get("sku").asString()).isEqualTo("SKU-7");
        assertThat(order.json().get("lines").get(0).get("quantity").asInt()).isEqualTo(3);
        assertThat(order.json().get("customer").get("id").asString()).isEqualTo("c-42");
    }

    @Test
    void anUnknownOrderIsANotFoundProblem() {
        UUID unknown = UUID.randomUUID();

        Answer answer = api.get("/api/orders/" + unknown);

        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("title").asString()).isEqualTo("Order not found");
        assertThat(answer.json().get("detail").asString()).contains(unknown.toString());
    }

    @Test
    void anExpressOrderLandsInEveryWorkerQueueAndInTheEmailWorkersExpressQueue() {
        String express = TestApi.order("SKU-EXPRESS", 1).replace("\"currency\"", "\"priority\":\"express\",\"currency\"");

        Answer answer = api.checkout(express);

        assertThat(answer.status()).isEqualTo(202);
        UUID orderId = answer.orderId();
        List<Received> received = probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        assertThat(json.readTree(received.get(0).body()).get("priority").asString()).isEqualTo("express");
        Message second = rabbit.receive(Topology.EMAIL_EXPRESS_QUEUE, PUBLISHED_WITHIN.toMillis());
        assertThat(second).as("the express copy").isNotNull();
        assertThat(second.getMessageProperties().getMessageId()).isEqualTo(received.get(0).properties().getMessageId());
        assertThat(second.getMessageProperties().getReceivedRoutingKey()).isEqualTo("order.placed.express");
        assertThat(api.get("/api/orders/" + orderId).json().get("priority").asString()).isEqualTo("express");
    }

    @Test
    void aNormalOrderIsNotCopiedToTheExpressQueueAndAnUnknownPriorityIsRefused() {
        UUID normal = api.checkout(TestApi.order("SKU-NORMAL", 1)).orderId();
        probe.awaitInEveryQueue(normal, PUBLISHED_WITHIN);
        assertThat(api.get("/api/orders/" + normal).json().get("priority").asString()).isEqualTo("normal");

        Answer urgent = api.checkout(TestApi.order("SKU-URGENT", 1).replace("\"currency\"", "\"priority\":\"urgent\",\"currency\""));

        assertThat(urgent.status()).isEqualTo(400);
        assertThat(urgent.json().get("detail").asString()).contains("'priority'");
        assertThat(rabbit.receive(Topology.EMAIL_EXPRESS_QUEUE, 500)).as("nothing in the express queue").isNull();
    }

    @Test
    void aMalformedOrderIdIsABadRequestProblem() {
        Answer answer = api.get("/api/orders/not-a-uuid");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.contentType()).startsWith("application/problem+json");
    }

    @Test
    void withoutCredentialsTheActuatorShowsHealthWithoutDetailsAndMetricsAndNothingElse() {
        Answer health = api.get("/actuator/health");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asString()).isEqualTo("UP");
        assertThat(health.json().has("components")).isFalse();
        // What docker compose's health check and a Kubernetes readiness probe ask, without credentials.
        assertThat(api.get("/actuator/health/readiness").status()).isEqualTo(200);
        assertThat(api.get("/actuator/health/liveness").status()).isEqualTo(200);
        assertThat(api.get("/actuator/prometheus").status()).isEqualTo(200);
        assertThat(api.get("/actuator/metrics").status()).isEqualTo(200);
        assertThat(api.get("/actuator/info").status()).isEqualTo(401);
        assertThat(api.get("/actuator").status()).isEqualTo(401);
        for (String hidden : List.of("/actuator/env", "/actuator/beans", "/actuator/configprops", "/actuator/loggers")) {
            // Not exposed (404), or exposed and behind the credentials (401): never served without them.
            assertThat(api.get(hidden).status()).as(hidden).isIn(401, 404);
        }
    }

    @Test
    void theCheckoutNeedsNoCredentials() {
        assertThat(api.checkout(TestApi.order("OPEN-1", 1)).status()).isEqualTo(202);
    }

    @Test
    void outsideTheLocalProfileTheServiceRefusesToStartWithoutAnAdminPassword() {
        SpringApplication application = new SpringApplication(OrderServiceApplication.class);

        // Refused before anything is started: no port, no database, no broker connection (and should it start
        // after all, it does so in memory, not in the developer's ./data).
        assertThatThrownBy(() -> application.run("--spring.security.user.password=", "--server.port=0",
                "--spring.datasource.url=jdbc:h2:mem:refused"))
                .isInstanceOf(MissingAdminPasswordException.class);
    }

    @Test
    void theWholeTopologyIsDeclaredAtStartUp() {
        TestBroker broker = TestBroker.get();
        for (String queue : Topology.WORK_QUEUES) {
            JsonNode arguments = broker.queue(queue).get("arguments");
            assertThat(arguments.get("x-queue-type").asString()).isEqualTo("quorum");
            assertThat(arguments.get("x-dead-letter-exchange").asString()).isEqualTo(Topology.DEAD_LETTER_EXCHANGE);
            assertThat(arguments.get("x-dead-letter-routing-key").asString()).isEqualTo(Topology.deadLetterQueue(queue));
            assertThat(arguments.get("x-dead-letter-strategy").asString()).isEqualTo("at-least-once");
            assertThat(arguments.get("x-overflow").asString()).isEqualTo("reject-publish");
            assertThat(arguments.get("x-delivery-limit").asInt()).isEqualTo(Topology.DELIVERY_LIMIT);
            assertThat(broker.queue(Topology.deadLetterQueue(queue)).get("arguments").get("x-queue-type").asString())
                    .isEqualTo("quorum");
        }
    }
}
