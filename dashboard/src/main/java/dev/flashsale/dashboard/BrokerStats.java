package dev.flashsale.dashboard;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.HttpException;
import com.rabbitmq.http.client.domain.ExchangeInfo;
import com.rabbitmq.http.client.domain.MessageStats;
import com.rabbitmq.http.client.domain.QueryParameters;
import com.rabbitmq.http.client.domain.QueueInfo;
import com.rabbitmq.http.client.domain.RateDetails;
import dev.flashsale.events.Topology;
import org.jspecify.annotations.Nullable;
import org.springframework.core.NestedExceptionUtils;

/**
 * Reads the work queues' depths and rates from RabbitMQ's management API, through RabbitMQ's own client of it
 * ({@code com.rabbitmq:http-client}): two requests, for the queues of the virtual host (asked only for the columns
 * shown) and for the {@code orders} exchange. AMQP itself tells a queue's depth but no rates; the management API has
 * both, as the broker's UI shows them.
 */
class BrokerStats {

    /** Only what the dashboard shows: the management API's full answer for a queue is several kilobytes. */
    private static final List<String> QUEUE_COLUMNS = List.of("name", "messages", "messages_ready", "messages_unacknowledged",
            "consumers", "message_stats.publish_details.rate", "message_stats.deliver_get_details.rate",
            "message_stats.ack_details.rate", "message_stats.publish");

    private final Client management;
    private final URI url;
    private final String virtualHost;

    BrokerStats(Client management, URI url, String virtualHost) {
        this.management = management;
        this.url = url;
        this.virtualHost = virtualHost;
    }

    Snapshot.Broker read() {
        try {
            Map<String, QueueInfo> byName = new HashMap<>();
            for (QueueInfo queue : management.getQueues(virtualHost, queueColumns()).getItemsAsList()) {
                byName.put(queue.getName(), queue);
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
            QueueInfo stream = byName.get(Topology.HISTORY_STREAM);
            Snapshot.Stream history = stream == null ? null : new Snapshot.Stream(Topology.HISTORY_STREAM,
                    stream.getMessageStats() == null ? 0 : stream.getMessageStats().getBasicPublish(),
                    rate(stream.getMessageStats(), MessageStats::getBasicPublishDetails));
            ExchangeInfo exchange = management.getExchange(virtualHost, Topology.ORDERS_EXCHANGE);
            double publishRate = exchange == null || exchange.getMessageStats() == null ? 0
                    : rate(exchange.getMessageStats().getPublishInDetails());
            return new Snapshot.Broker(true, null, publishRate, workQueues, history);
        }
        catch (HttpException ex) {
            return Snapshot.Broker.unreachable("RabbitMQ's management API at " + url + " did not answer: "
                    + NestedExceptionUtils.getMostSpecificCause(ex));
        }
    }

    private static QueryParameters queueColumns() {
        QueryParameters parameters = new QueryParameters();
        QUEUE_COLUMNS.forEach(parameters.columns()::add);
        return parameters;
    }

    /** A queue's row, with the depth of the DLQ it dead-letters into; empty if the broker does not have the queue. */
    private static Optional<Snapshot.Queue> row(Map<String, QueueInfo> byName, String name, String deadLetterQueue) {
        QueueInfo queue = byName.get(name);
        if (queue == null) {
            return Optional.empty();
        }
        QueueInfo deadLetters = byName.get(deadLetterQueue);
        MessageStats stats = queue.getMessageStats();
        return Optional.of(new Snapshot.Queue(name, queue.getMessagesReady(), queue.getMessagesUnacknowledged(),
                (int) queue.getConsumerCount(), rate(stats, MessageStats::getBasicPublishDetails),
                rate(stats, MessageStats::getBasicGetDetails), rate(stats, MessageStats::getAckDetails),
                deadLetterQueue, deadLetters == null ? 0 : deadLetters.getTotalMessages()));
    }

    /**
     * A rate from {@code message_stats}, which the broker leaves out until something has moved. (The client's
     * {@code getBasicGetDetails} is {@code deliver_get_details}: deliveries and gets together, as the broker's UI shows.)
     */
    private static double rate(@Nullable MessageStats stats, Function<MessageStats, @Nullable RateDetails> details) {
        return stats == null ? 0 : rate(details.apply(stats));
    }

    private static double rate(@Nullable RateDetails details) {
        return details == null ? 0 : details.getRate();
    }
}
