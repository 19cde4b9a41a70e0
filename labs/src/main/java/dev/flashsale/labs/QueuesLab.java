package dev.flashsale.labs;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.flashsale.events.Topology;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Not a lab but the window the labs look through: the running system's work queues, as the broker sees them.
 *
 * <p>Ready messages and consumers come from a passive declare over AMQP, so they are exact at the moment of asking;
 * the unacknowledged count exists only in the management API, which RabbitMQ refreshes every 5 seconds by default
 * ({@code collect_statistics_interval}). {@code --wait-empty} waits (60 s at most) until the consumers have caught up:
 * every work queue that has a consumer is empty, nothing ready and nothing delivered and unacknowledged. Because the
 * unacknowledged count can be one interval old, a zero counts only once the exact ready count has been zero for longer
 * than an interval: then nothing was delivered since the figure was taken, and a zero then is a zero now. (Two samples
 * in a row were not enough: a figure taken just before the consumers took their prefetch says 0 while 200 are held.)
 * A queue without a consumer cannot drain, so it is not waited for.
 */
final class QueuesLab implements Lab {

    private static final Duration WAIT_EMPTY_AT_MOST = Duration.ofSeconds(60);

    /** RabbitMQ's {@code collect_statistics_interval} (5 s by default), with a second to spare for the figure's way. */
    private static final Duration STATISTICS_AGE_AT_MOST = Duration.ofSeconds(6);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    @Override
    public String name() {
        return "queues";
    }

    @Override
    public String summary() {
        return "the system's work queues: ready, unacked, consumers, DLQ (--wait-empty: until consumers caught up)";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        boolean waitEmpty = arguments.contains("--wait-empty");
        try (Connection connection = Broker.connect(name()); Channel channel = connection.createChannel()) {
            if (waitEmpty) {
                awaitEmpty(channel);
            }
            Map<String, Long> unacked = unacknowledged();
            System.out.printf("%-24s %7s %8s %10s %5s%n", "queue", "ready", "unacked", "consumers", "dlq");
            for (String queue : Topology.WORK_QUEUES) {
                var work = channel.queueDeclarePassive(queue);
                var deadLetters = channel.queueDeclarePassive(Topology.deadLetterQueue(queue));
                System.out.printf("%-24s %7d %8d %10d %5d%n", queue, work.getMessageCount(), unacked.getOrDefault(queue, 0L),
                        work.getConsumerCount(), deadLetters.getMessageCount());
            }
        }
    }

    private void awaitEmpty(Channel channel) throws Exception {
        long deadline = System.nanoTime() + WAIT_EMPTY_AT_MOST.toNanos();
        Long nothingReadySince = null;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The consumed work queues are not empty after " + WAIT_EMPTY_AT_MOST.toSeconds() + " s");
            }
            Map<String, Long> unacked = unacknowledged();
            boolean nothingReady = true;
            boolean nothingUnacked = true;
            for (String queue : Topology.WORK_QUEUES) {
                var state = channel.queueDeclarePassive(queue);
                if (state.getConsumerCount() > 0) {
                    nothingReady &= state.getMessageCount() == 0;
                    nothingUnacked &= unacked.getOrDefault(queue, 0L) == 0;
                }
            }
            long now = System.nanoTime();
            nothingReadySince = !nothingReady ? null : nothingReadySince != null ? nothingReadySince : now;
            if (nothingUnacked && nothingReadySince != null && now - nothingReadySince > STATISTICS_AGE_AT_MOST.toNanos()) {
                return;
            }
            Thread.sleep(500);
        }
    }

    /** Messages delivered to a consumer and not yet acknowledged, per work queue, from the management API. */
    private Map<String, Long> unacknowledged() throws IOException, InterruptedException {
        String vhost = URLEncoder.encode(Broker.env("RABBIT_VHOST", "/"), StandardCharsets.UTF_8);
        URI uri = URI.create("http://" + Broker.env("RABBIT_HOST", "localhost") + ":" + Broker.env("RABBIT_MANAGEMENT_PORT", "15672")
                + "/api/queues/" + vhost + "?columns=name,messages_unacknowledged");
        String credentials = Broker.env("RABBIT_USER", "guest") + ":" + Broker.env("RABBIT_PASSWORD", "guest");
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("RabbitMQ's management API at " + uri + " answered " + response.statusCode()
                    + " (is the management plugin enabled? rabbitmq-plugins enable rabbitmq_management)");
        }
        Map<String, Long> counts = new HashMap<>();
        for (JsonNode queue : json.readTree(response.body())) {
            counts.put(queue.path("name").asString(), queue.path("messages_unacknowledged").asLong());
        }
        return counts;
    }
}
