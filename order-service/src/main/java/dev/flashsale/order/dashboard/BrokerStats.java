package dev.flashsale.order.dashboard;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.flashsale.events.Topology;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.UriComponentsBuilder;
import tools.jackson.databind.JsonNode;

/**
 * Reads the work queues' depths and rates from RabbitMQ's management API: two requests, for the queues of the virtual
 * host and for the {@code orders} exchange, asked only for the columns shown. AMQP itself tells a queue's depth but
 * no rates; the management API has both, as the broker's UI shows them.
 */
class BrokerStats {

    /** Only what the dashboard shows: the management API's full answer for a queue is several kilobytes. */
    private static final String QUEUE_COLUMNS = String.join(",", "name", "messages", "messages_ready", "messages_unacknowledged",
            "consumers", "message_stats.publish_details.rate", "message_stats.deliver_get_details.rate",
            "message_stats.ack_details.rate", "message_stats.publish");

    private final RestClient http;
    private final URI queues;
    private final URI ordersExchange;

    BrokerStats(RestClient http, URI managementUrl, String virtualHost) {
        this.http = http;
        // encode() first, then expand: the virtual host is encoded strictly, so "/" (the default one) becomes %2F.
        this.queues = UriComponentsBuilder.fromUri(managementUrl).path("/api/queues/{vhost}")
                .queryParam("columns", QUEUE_COLUMNS).encode().buildAndExpand(virtualHost).toUri();
        this.ordersExchange = UriComponentsBuilder.fromUri(managementUrl).path("/api/exchanges/{vhost}/{exchange}")
                .queryParam("columns", "message_stats.publish_in_details.rate").encode()
                .buildAndExpand(virtualHost, Topology.ORDERS_EXCHANGE).toUri();
    }

    Snapshot.Broker read() {
        try {
            Map<String, JsonNode> byName = new HashMap<>();
            for (JsonNode queue : http.get().uri(queues).retrieve().body(JsonNode.class)) {
                byName.put(queue.path("name").asString(), queue);
            }
            List<Snapshot.Queue> workQueues = new ArrayList<>();
            // The work queues, then their express queues (only the email worker has one), which share their DLQ.
            for (String name : Topology.WORK_QUEUES) {
                row(byName, name, Topology.deadLetterQueue(name)).ifPresent(workQueues::add);
            }
            for (String name : Topology.WORK_QUEUES) {
                Topology.expressQueue(name).flatMap(express -> row(byName, express, Topology.deadLetterQueue(name)))
                        .ifPresent(workQueues::add);
            }
            JsonNode stream = byName.get(Topology.HISTORY_STREAM);
            Snapshot.Stream history = stream == null ? null : new Snapshot.Stream(Topology.HISTORY_STREAM,
                    stream.path("message_stats").path("publish").asLong(0), rate(stream, "publish_details"));
            JsonNode exchange = http.get().uri(ordersExchange).retrieve().body(JsonNode.class);
            return new Snapshot.Broker(true, null, rate(exchange, "publish_in_details"), workQueues, history);
        }
        catch (RestClientException ex) {
            return Snapshot.Broker.unreachable("RabbitMQ's management API at " + queues.resolve("/") + " did not answer: "
                    + ex.getMostSpecificCause().getMessage());
        }
    }

    /** A queue's row, with the depth of the DLQ it dead-letters into; empty if the broker does not have the queue. */
    private static Optional<Snapshot.Queue> row(Map<String, JsonNode> byName, String name, String deadLetterQueue) {
        JsonNode queue = byName.get(name);
        if (queue == null) {
            return Optional.empty();
        }
        JsonNode deadLetters = byName.get(deadLetterQueue);
        return Optional.of(new Snapshot.Queue(name, queue.path("messages_ready").asLong(),
                queue.path("messages_unacknowledged").asLong(), queue.path("consumers").asInt(),
                rate(queue, "publish_details"), rate(queue, "deliver_get_details"), rate(queue, "ack_details"),
                deadLetterQueue, deadLetters == null ? 0 : deadLetters.path("messages").asLong()));
    }

    /** A rate from {@code message_stats}, which the broker leaves out until something has moved. */
    private static double rate(JsonNode node, String details) {
        return node.path("message_stats").path(details).path("rate").asDouble(0);
    }
}
