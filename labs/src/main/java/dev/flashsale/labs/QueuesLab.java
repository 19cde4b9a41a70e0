package dev.flashsale.labs;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.HttpException;
import com.rabbitmq.http.client.domain.QueryParameters;
import com.rabbitmq.http.client.domain.QueueInfo;
import dev.flashsale.events.Topology;

/**
 * Not a lab but the window the labs look through: the running system's work queues, as the broker sees them
 * ({@link QueuesReport} prints them).
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

    /** One work queue: ready and unacknowledged messages, consumers, and what its dead-letter queue holds. */
    record Row(String queue, long ready, long unacked, int consumers, long dlq) {
    }

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
        Client management = RabbitConnector.management();
        try (Connection connection = RabbitConnector.connect(name()); Channel channel = connection.createChannel()) {
            if (arguments.contains("--wait-empty")) {
                awaitEmpty(channel, management);
            }
            QueuesReport.of(rows(channel, unacknowledged(management))).print();
        }
    }

    private static List<Row> rows(Channel channel, Map<String, Long> unacked) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (String queue : Topology.WORK_QUEUES) {
            AMQP.Queue.DeclareOk work = channel.queueDeclarePassive(queue);
            AMQP.Queue.DeclareOk deadLetters = channel.queueDeclarePassive(Topology.deadLetterQueue(queue));
            rows.add(new Row(queue, work.getMessageCount(), unacked.getOrDefault(queue, 0L), work.getConsumerCount(),
                    deadLetters.getMessageCount()));
        }
        return rows;
    }

    private static void awaitEmpty(Channel channel, Client management) throws Exception {
        long deadline = System.nanoTime() + WAIT_EMPTY_AT_MOST.toNanos();
        Long nothingReadySince = null;
        while (true) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("The consumed work queues are not empty after "
                        + WAIT_EMPTY_AT_MOST.toSeconds() + " s");
            }
            List<Row> consumed = rows(channel, unacknowledged(management)).stream()
                    .filter(row -> row.consumers() > 0).toList();
            boolean nothingReady = consumed.stream().allMatch(row -> row.ready() == 0);
            boolean nothingUnacked = consumed.stream().allMatch(row -> row.unacked() == 0);
            long now = System.nanoTime();
            nothingReadySince = !nothingReady ? null : nothingReadySince != null ? nothingReadySince : now;
            if (nothingUnacked && nothingReadySince != null
                    && now - nothingReadySince > STATISTICS_AGE_AT_MOST.toNanos()) {
                return;
            }
            Thread.sleep(500);
        }
    }

    /** Messages delivered to a consumer and not yet acknowledged, per queue of the virtual host. */
    private static Map<String, Long> unacknowledged(Client management) throws IOException {
        QueryParameters columns = new QueryParameters().columns().add("name").add("messages_unacknowledged").query();
        try {
            return Arrays.stream(management.getQueues(RabbitConnector.virtualHost(), columns).getItems())
                    .collect(Collectors.toMap(QueueInfo::getName, QueueInfo::getMessagesUnacknowledged));
        }
        catch (HttpException ex) {
            throw new IOException("RabbitMQ's management API at " + RabbitConnector.managementUrl() + " did not answer"
                    + " (is the management plugin enabled? rabbitmq-plugins enable rabbitmq_management)", ex);
        }
    }
}
