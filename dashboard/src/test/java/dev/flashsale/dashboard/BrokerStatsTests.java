package dev.flashsale.dashboard;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;

import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.ClientParameters;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A management API that does not answer makes the broker's part of the snapshot "unreachable", with why, instead of
 * failing the snapshot. (Its answers, against the real broker, are in the order-service's
 * {@code DashboardControllerTests}.)
 */
class BrokerStatsTests {

    @Test
    void aManagementApiThatDoesNotAnswerIsShownAsUnreachableWithItsAddress() throws Exception {
        URI url = URI.create("http://127.0.0.1:" + closedPort());
        BrokerStats stats = new BrokerStats(new Client(new ClientParameters().url(new URL(url + "/api/")).username("guest").password("guest")),
                url, "/");

        Snapshot.Broker broker = stats.read();

        assertThat(broker.reachable()).isFalse();
        assertThat(broker.problem()).startsWith("RabbitMQ's management API at " + url + " did not answer: ");
        assertThat(broker.queues()).isEmpty();
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
