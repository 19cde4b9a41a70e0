package dev.flashsale.testsupport;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.ClientParameters;
import com.rabbitmq.http.client.HttpLayer;
import com.rabbitmq.http.client.JdkHttpClientHttpLayer;
import com.rabbitmq.http.client.domain.ConnectionInfo;
import com.rabbitmq.http.client.domain.NodeInfo;
import com.rabbitmq.http.client.domain.OutboundMessage;
import com.rabbitmq.http.client.domain.PolicyInfo;
import com.rabbitmq.http.client.domain.QueueInfo;
import com.rabbitmq.http.client.domain.UserPermissions;
import com.rabbitmq.http.client.domain.VhostInfo;

/**
 * RabbitMQ's management HTTP API, through RabbitMQ's own Java client ({@code com.rabbitmq:http-client}, on the JDK's
 * HttpClient): the one way the tests' virtual hosts, the fault suite's own nodes, the cluster drill and the benchmark
 * read and steer a broker. It names the few operations they need, in their words; the answers are the client's types.
 */
public final class RabbitManagement {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

    private final URI base;
    private final HttpLayer http;
    private final Client client;

    public RabbitManagement(URI base, String username, String password) {
        this.base = base;
        try {
            // Appended, not resolved: a management API behind a proxy may live under a path of its own.
            ClientParameters parameters = new ClientParameters().url(base.toString().replaceAll("/+$", "") + "/api/")
                    .username(username).password(password).httpLayerFactory(JdkHttpClientHttpLayer.configure()
                            // HTTP/1.1: the management API's server drops a POST that asks to upgrade to HTTP/2.
                            .clientBuilderConsumer(builder -> builder.version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT))
                            // Given a request consumer of our own, the layer adds no credentials of its own: this one does.
                            .requestBuilderConsumer(request -> request.timeout(REQUEST_TIMEOUT)
                                    .setHeader("Authorization", JdkHttpClientHttpLayer.authorization(username, password)))
                            .create());
            this.http = parameters.getHttpLayerFactory().create(parameters);
            this.client = new Client(parameters);
        }
        catch (MalformedURLException | URISyntaxException ex) {
            throw new IllegalArgumentException("Not a management API's address: " + base, ex);
        }
    }

    public URI base() {
        return base;
    }

    /** Whether the API answers at all. */
    public boolean answers() {
        try {
            return client.getOverview() != null;
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /** Creates a virtual host and gives {@code user} every permission on it. */
    public void createVirtualHost(String name, String user) {
        client.createVhost(name);
        client.updatePermissions(name, user, new UserPermissions(".*", ".*", ".*"));
    }

    public void deleteVirtualHost(String name) {
        client.deleteVhost(name);
    }

    public List<String> virtualHosts() {
        return client.getVhosts().stream().map(VhostInfo::getName).toList();
    }

    /** A queue as the management API describes it (messages, consumers, rates, arguments), or null when there is none. */
    public QueueInfo queue(String virtualHost, String queue) {
        return client.getQueue(virtualHost, queue);
    }

    /**
     * Applies a policy to the queues of a virtual host whose names match {@code pattern}. Policies act within moments,
     * not at once: a caller waits for the effect it needs.
     */
    public void applyQueuePolicy(String virtualHost, String name, String pattern, Map<String, Object> definition) {
        client.declarePolicy(virtualHost, name, new PolicyInfo(pattern, 100, "queues", definition));
    }

    public void deletePolicy(String virtualHost, String name) {
        client.deletePolicy(virtualHost, name);
    }

    /** The nodes of the cluster, with whether each runs. */
    public List<NodeInfo> nodes() {
        return client.getNodes();
    }

    /** The AMQP connections of every node, with the node and the client's port. */
    public List<ConnectionInfo> connections() {
        return client.getConnections();
    }

    /**
     * Publishes one message to the default exchange, so straight into {@code queue} of {@code virtualHost}; true if the
     * broker routed it.
     */
    public boolean publishToQueue(String virtualHost, String queue, Map<String, Object> properties, String payload) {
        return client.publish(virtualHost, "amq.default", queue, new OutboundMessage().payload(payload).properties(properties).utf8Encoded());
    }

    /**
     * Where a quorum queue stands.
     *
     * @param leader the node that leads it, as the API names it (empty while there is none)
     * @param members the nodes that hold a replica
     * @param online the members whose replica runs
     */
    public record QuorumQueue(String name, Optional<String> leader, List<String> members, List<String> online) {
    }

    /**
     * The quorum queues of a virtual host, in one request. The one call the client does not serve: its queue type has
     * the {@code leader} and {@code members} of a quorum queue but not which of them are {@code online} (RabbitMQ
     * 3.10), so this reads those columns as JSON through the client's own HTTP layer (same credentials and timeouts).
     */
    public List<QuorumQueue> quorumQueues(String virtualHost) {
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + "/api/queues/" + encode(virtualHost)
                + "?columns=name,type,leader,members,online");
        List<QuorumQueue> queues = new ArrayList<>();
        for (JsonNode queue : http.get(uri, JsonNode.class)) {
            if ("quorum".equals(queue.path("type").asText(""))) {
                String leader = queue.path("leader").asText("");
                queues.add(new QuorumQueue(queue.path("name").asText(), leader.isEmpty() ? Optional.empty() : Optional.of(leader),
                        strings(queue.path("members")), strings(queue.path("online"))));
            }
        }
        return queues;
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asText()));
        return values;
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
