package dev.flashsale.testsupport;

import java.util.Map;

import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.ClientParameters;
import com.rabbitmq.http.client.domain.QueueInfo;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;

/** The management client against the real broker: what the tests and the benchmark read through it. */
class RabbitManagementTests {

    private final TestBroker broker = TestBroker.get();
    private final RabbitManagement management = broker.management();

    @Test
    void aQueueReadsWithTheManagementApisFieldNames() throws Exception {
        declareQuorumQueue("management-tests.names");
        assertThat(management.publishToQueue(broker.virtualHost(), "management-tests.names", Map.of("delivery_mode", 2), "{}"))
                .as("routed").isTrue();

        JsonNode queue = broker.queue("management-tests.names");

        assertThat(queue.get("arguments").get("x-queue-type").asString()).isEqualTo("quorum");
        assertThat(queue.has("messages_unacknowledged")).isTrue();
        assertThat(queue.get("consumers").asInt()).isZero();
        assertThat(management.quorumQueues(broker.virtualHost())).anySatisfy(quorum -> {
            assertThat(quorum.name()).isEqualTo("management-tests.names");
            assertThat(quorum.leader()).isPresent();
            assertThat(quorum.online()).containsAll(quorum.members()).isNotEmpty();
        });
    }

    @Test
    void theTestsVirtualHostIsListedAndAPolicyComesAndGoes() {
        assertThat(management.answers()).isTrue();
        assertThat(management.virtualHosts()).contains(broker.virtualHost());
        assertThat(management.nodes()).anySatisfy(node -> assertThat(node.isRunning()).isTrue());

        broker.applyQueuePolicy("management-tests", "^management-tests\\.", Map.of("max-length", 10));
        broker.deletePolicy("management-tests");
    }

    @Test
    void aQueueThatDoesNotExistIsNone() {
        QueueInfo none = management.queue(broker.virtualHost(), "management-tests.none");
        assertThat(none).isNull();
    }

    /** Queues are declared over AMQP by the services; here, with no AMQP client on the class path, through the client itself. */
    private void declareQuorumQueue(String name) throws Exception {
        Client client = new Client(new ClientParameters().url(management.base() + "/api/").username(broker.username())
                .password(broker.password()));
        client.declareQueue(broker.virtualHost(), name, new QueueInfo(true, false, false, Map.of("x-queue-type", "quorum")));
    }
}
