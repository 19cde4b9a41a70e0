package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

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

    private final Broker broker;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ObjectMapper json = new ObjectMapper();

    BrokerManagement(Broker broker) {
        this.broker = broker;
    }

    /** Creates a virtual host and gives the user every permission on it. */
    void createVirtualHost(String name) {
        send("PUT", "/api/vhosts/" + encode(name), "{}");
        send("PUT", "/api/permissions/" + encode(name) + "/" + encode(broker.username()),
                "{\"configure\":\".*\",\"write\":\".*\",\"read\":\".*\"}");
    }

    void deleteVirtualHost(String name) {
        send("DELETE", "/api/vhosts/" + encode(name), null);
    }

    QueueState queue(String virtualHost, String queue) {
        JsonNode node = read(send("GET", "/api/queues/" + encode(virtualHost) + "/" + encode(queue), null));
        JsonNode stats = node.path("message_stats");
        return new QueueState(node.path("messages").asLong(), node.path("messages_unacknowledged").asLong(),
                node.path("consumers").asInt(), stats.path("publish_details").path("rate").asDouble(),
                stats.path("deliver_get_details").path("rate").asDouble(), stats.path("ack_details").path("rate").asDouble());
    }

    /** Whether the management API answers at all. */
    boolean answers() {
        try {
            send("GET", "/api/overview", null);
            return true;
        }
        catch (RuntimeException ex) {
            return false;
        }
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
        HttpRequest request = HttpRequest.newBuilder(URI.create(broker.managementUrl() + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((broker.username() + ":" + broker.password()).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("RabbitMQ management API: " + method + " " + path + " answered "
                        + response.statusCode() + " " + response.body());
            }
            return response.body();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("The RabbitMQ management API does not answer at " + broker.managementUrl()
                    + " (enable it: rabbitmq-plugins enable rabbitmq_management)", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
