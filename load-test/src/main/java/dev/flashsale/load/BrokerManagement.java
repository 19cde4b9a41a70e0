package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.testsupport.RabbitManagement;

/** The RabbitMQ management HTTP API, for what the benchmark needs: virtual hosts, and queue depths and rates. */
final class BrokerManagement {

    /**
     * A queue as the management API shows it.
     *
     * @param messages ready and unacknowledged messages
     * @param unacknowledged delivered to a consumer and not yet acknowledged
     * @param consumers consumers attached
     * @param publishRate messages per second coming into the queue
     * @param deliverRate messages per second handed to consumers
     * @param ackRate messages per second acknowledged by consumers
     */
    record QueueState(long messages, long unacknowledged, int consumers, double publishRate, double deliverRate, double ackRate) {
    }

    private final BrokerEndpoint broker;
    private final RabbitManagement management;
    private final ObjectMapper json = new ObjectMapper();

    BrokerManagement(BrokerEndpoint broker) {
        this.broker = broker;
        this.management = new RabbitManagement(URI.create(broker.managementUrl()), broker.username(), broker.password());
    }

    /** Creates a virtual host and gives the user every permission on it. */
    void createVirtualHost(String name) {
        send("PUT", "/api/vhosts/" + RabbitManagement.encode(name), "{}");
        send("PUT", "/api/permissions/" + RabbitManagement.encode(name) + "/" + RabbitManagement.encode(broker.username()),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
    }

    void deleteVirtualHost(String name) {
        send("DELETE", "/api/vhosts/" + RabbitManagement.encode(name), null);
    }

    QueueState queue(String virtualHost, String queue) {
        JsonNode node = read(send("GET", "/api/queues/" + RabbitManagement.encode(virtualHost) + "/" + RabbitManagement.encode(queue), null));
        JsonNode stats = node.path("message_stats");
        return new QueueState(node.path("messages").asLong(), node.path("messages_unacknowledged").asLong(),
                node.path("consumers").asInt(), stats.path("publish_details").path("rate").asDouble(),
                stats.path("deliver_get_details").path("rate").asDouble(), stats.path("ack_details").path("rate").asDouble());
    }

    /** Whether the management API answers at all. */
    boolean answers() {
        return management.answers();
    }

    private JsonNode read(String body) {
        try {
            return json.readTree(body);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private String send(String method, String path, String body) {
        return management.send(method, path, body);
    }
}
