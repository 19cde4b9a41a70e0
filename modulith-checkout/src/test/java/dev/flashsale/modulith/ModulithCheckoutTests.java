package dev.flashsale.modulith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The peer against the real broker: what it publishes is what the workers take, a key places one order, and a
 * publish the broker does not take stays incomplete in Modulith's registry until it is sent again.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "flashsale.data-dir=./target/test-data/${random.uuid}",
        "flashsale.modulith.resubmit-after=1s",
        "flashsale.modulith.resubmit-interval=200ms",
        "spring.security.user.name=test-admin",
        "spring.security.user.password=test-secret",
        "flashsale.security.service.username=test-service",
        "flashsale.security.service.password=service-secret" })
class ModulithCheckoutTests {

    private static final String ORDER = """
            {"customer":{"id":"c-1","email":"c1@example.com"},"lines":[{"sku":"SKU-1","quantity":2,"unitPrice":9.99}],"currency":"EUR"}""";

    @DynamicPropertySource
    static void broker(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
    }

    @Value("${local.server.port}")
    int port;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JsonMapper json;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A queue of this test's own on the orders exchange, in the tests' virtual host: it stands in for a worker's. */
    private final Queue probe = new Queue("probe-" + UUID.randomUUID(), false, false, false);

    @BeforeEach
    void declareExchange() {
        admin.declareExchange(new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false));
    }

    @AfterEach
    void deleteProbe() {
        admin.deleteQueue(probe.getName());
    }

    @Test
    void publishesWhatTheWorkersTakeAndCompletesThePublicationOnceConfirmed() throws Exception {
        bindProbe();
        HttpResponse<String> response = checkout(ORDER, "key-" + UUID.randomUUID());

        assertThat(response.statusCode()).isEqualTo(202);
        UUID orderId = UUID.fromString(json.readTree(response.body()).get("orderId").asString());
        Message message = rabbit.receive(probe.getName(), 10_000);
        assertThat(message).as("the order's event on the exchange").isNotNull();
        assertThat(message.getMessageProperties().<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(orderId.toString());
        assertThat(message.getMessageProperties().<String>getHeader(EventHeaders.EVENT_TYPE)).isEqualTo(OrderPlaced.TYPE);
        JsonNode event = json.readTree(message.getBody());
        assertThat(event.get("orderId").asString()).isEqualTo(orderId.toString());
        assertThat(event.get("total").asString()).as("amounts travel as strings").isEqualTo("19.98");
        assertThat(message.getMessageProperties().getMessageId()).isEqualTo(event.get("eventId").asString());
        await().atMost(Duration.ofSeconds(10)).until(() -> incompletePublicationsOf(orderId) == 0);
    }

    @Test
    void oneKeyPlacesOneOrder() throws Exception {
        bindProbe();
        String key = "key-" + UUID.randomUUID();

        String first = json.readTree(checkout(ORDER, key).body()).get("orderId").asString();
        String second = json.readTree(checkout(ORDER, key).body()).get("orderId").asString();

        assertThat(second).isEqualTo(first);
        assertThat(rabbit.receive(probe.getName(), 10_000)).isNotNull();
        assertThat(rabbit.receive(probe.getName(), 1_000)).as("a second message for the same key").isNull();
    }

    @Test
    void aPublishTheBrokerReturnsStaysIncompleteUntilItIsSentAgain() throws Exception {
        // No queue on the exchange: the mandatory publish is returned, the listener throws, the registry keeps it.
        HttpResponse<String> response = checkout(ORDER, null);
        assertThat(response.statusCode()).isEqualTo(202);
        UUID orderId = UUID.fromString(json.readTree(response.body()).get("orderId").asString());
        await().atMost(Duration.ofSeconds(10)).until(() -> attemptsOf(orderId) >= 1);
        assertThat(incompletePublicationsOf(orderId)).isEqualTo(1);

        bindProbe();

        Message message = rabbit.receive(probe.getName(), 15_000);
        assertThat(message).as("the order's event, sent again by the resubmission").isNotNull();
        assertThat(message.getMessageProperties().<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(orderId.toString());
        await().atMost(Duration.ofSeconds(10)).until(() -> incompletePublicationsOf(orderId) == 0);
    }

    @Test
    void refusesAnInvalidOrderAndPlacesNothing() throws Exception {
        bindProbe();
        long before = jdbc.sql("select count(*) from orders").query(Long.class).single();

        HttpResponse<String> response = checkout(ORDER.replace("\"quantity\":2", "\"quantity\":0"), null);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(jdbc.sql("select count(*) from orders").query(Long.class).single()).isEqualTo(before);
        assertThat(rabbit.receive(probe.getName(), 1_000)).isNull();
    }

    private void bindProbe() {
        admin.declareQueue(probe);
        admin.declareBinding(BindingBuilder.bind(probe).to(new FanoutExchange(Topology.ORDERS_EXCHANGE)));
    }

    private HttpResponse<String> checkout(String body, String idempotencyKey) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/orders"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The registry's rows for this order's event that are not complete (its event is stored as JSON). */
    private long incompletePublicationsOf(UUID orderId) {
        return jdbc.sql("select count(*) from event_publication where completion_date is null and serialized_event like ?")
                .param("%" + orderId + "%").query(Long.class).single();
    }

    private int attemptsOf(UUID orderId) {
        return jdbc.sql("select coalesce(max(completion_attempts), 0) from event_publication where serialized_event like ?")
                .param("%" + orderId + "%").query(Integer.class).single();
    }
}
