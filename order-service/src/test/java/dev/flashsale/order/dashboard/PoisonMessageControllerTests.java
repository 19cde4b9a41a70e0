package dev.flashsale.order.dashboard;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.QueueProbe;
import dev.flashsale.order.QueueProbe.Received;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The poison message: straight to the exchange, so every worker's queue gets one; only with the admin credentials. */
@OrderServiceTest
class PoisonMessageControllerTests {

    private static final Duration PUBLISHED_WITHIN = Duration.ofSeconds(10);

    /** The dashboard's {@code PoisonMessageController.UNKNOWN_VERSION}, a version no worker reads. */
    private static final int UNKNOWN_VERSION = 99;

    private final JsonMapper json = JsonMapper.builder().build();

    @Autowired
    TestApi api;

    @Autowired
    QueueProbe probe;

    @Autowired
    JdbcClient jdbc;

    @Test
    void aMalformedPoisonMessageLandsInEveryWorkQueueWithTheHeadersOfAnOrderAndABodyNoOneCanRead() {
        Answer answer = poison("", admin());

        assertThat(answer.status()).isEqualTo(202);
        assertThat(answer.json().get("kind").asString()).isEqualTo("malformed-json");
        UUID orderId = UUID.fromString(answer.json().get("orderId").asString());
        List<Received> received = probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        assertThat(received).extracting(Received::queue).containsExactlyInAnyOrderElementsOf(Topology.WORK_QUEUES);
        for (Received message : received) {
            assertThat(message.properties().getMessageId()).isEqualTo(answer.json().get("messageId").asString());
            assertThat(message.properties().getHeaders().get(EventHeaders.EVENT_TYPE)).hasToString(OrderPlaced.TYPE);
            assertThat(message.properties().getHeaders().get(EventHeaders.EVENT_VERSION)).isEqualTo(OrderPlaced.VERSION);
            assertThatThrownBy(() -> json.readTree(message.body())).isInstanceOf(JacksonException.class);
        }
    }

    @Test
    void anUnknownVersionPoisonMessageIsAWellFormedOrderUnderAVersionNoWorkerReads() {
        Answer answer = poison("?kind=unknown-version", admin());

        assertThat(answer.status()).isEqualTo(202);
        UUID orderId = UUID.fromString(answer.json().get("orderId").asString());
        for (Received message : probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN)) {
            assertThat(message.properties().getHeaders().get(EventHeaders.EVENT_VERSION)).isEqualTo(UNKNOWN_VERSION);
            assertThat(json.readTree(message.body()).get("orderId").asString()).isEqualTo(orderId.toString());
        }
    }

    @Test
    void withoutCredentialsWithWrongOnesOrForAnUnknownKindNothingIsPublished() {
        int mark = probe.mark();

        Answer anonymous = poison("", null);
        Answer wrong = poison("", basic(OrderServiceTest.ADMIN, "wrong"));
        Answer unknownKind = poison("?kind=arsenic", admin());

        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(unknownKind.status()).isEqualTo(400);
        assertThat(unknownKind.contentType()).startsWith("application/problem+json");
        // A poison message names an order that was never placed: an earlier test's late event names one that was.
        probe.assertOnlyTheSentinelSince(mark, api.checkout(TestApi.order("SENTINEL", 1)).orderId(),
                orderId -> jdbc.sql("select count(*) from orders where cast(id as varchar) = ?").param(orderId).query(Long.class).single() > 0,
                PUBLISHED_WITHIN);
    }

    private Answer poison(String query, String authorization) {
        HttpRequest.Builder request = api.request("/api/admin/poison" + query).POST(HttpRequest.BodyPublishers.noBody());
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return api.send(request.build());
    }

    static String admin() {
        return basic(OrderServiceTest.ADMIN, OrderServiceTest.ADMIN_PASSWORD);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
