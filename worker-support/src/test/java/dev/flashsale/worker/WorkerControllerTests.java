package dev.flashsale.worker;

import java.util.Collections;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The lookup of many orders at once: which of them this worker has applied. */
@WorkerSupportTest
class WorkerControllerTests {

    @Autowired
    RabbitTemplate rabbit;

    @LocalServerPort
    int port;

    @Test
    void aLookupOfSeveralOrdersAnswersTheRowsOfThoseApplied() {
        OrderPlaced first = TestWorkerApplication.orderPlaced("c-lookup");
        OrderPlaced second = TestWorkerApplication.orderPlaced("c-lookup");
        UUID neverPlaced = UUID.randomUUID();
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", first);
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", second);
        await().until(() -> lookup(first.orderId(), second.orderId()).getBody().size() == 2);

        JsonNode applied = lookup(first.orderId(), neverPlaced, second.orderId(), first.orderId()).getBody();

        assertThat(applied.findValuesAsString("orderId"))
                .containsExactlyInAnyOrder(first.orderId().toString(), second.orderId().toString());
        assertThat(applied.findValuesAsString("outcome")).containsOnly("applied");
    }

    @Test
    void aLookupOfTooManyOrdersOrOfAMalformedIdIsABadRequestProblem() {
        UUID[] tooMany = Collections.nCopies(WorkerController.MAX_LOOKUP + 1, UUID.randomUUID()).toArray(UUID[]::new);

        ResponseEntity<JsonNode> overTheLimit = lookup(tooMany);
        ResponseEntity<JsonNode> malformed = http().get().uri("/api/processed?orderId=not-a-uuid").retrieve().toEntity(JsonNode.class);

        for (ResponseEntity<JsonNode> bad : List.of(overTheLimit, malformed)) {
            assertThat(bad.getStatusCode().value()).isEqualTo(400);
            assertThat(bad.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        }
    }

    private ResponseEntity<JsonNode> lookup(UUID... orderIds) {
        return http().get().uri(uri -> uri.path("/api/processed").queryParam("orderId", (Object[]) orderIds).build())
                .retrieve().toEntity(JsonNode.class);
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }
}
