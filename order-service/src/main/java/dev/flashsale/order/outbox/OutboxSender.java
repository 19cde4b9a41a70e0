package dev.flashsale.order.outbox;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.flashsale.events.EventMessages;
import dev.flashsale.events.Topology;
import io.micrometer.tracing.CurrentTraceContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.stereotype.Component;

/**
 * Sends taken outbox rows to the broker, for the after-commit publisher's sender thread and for the relay alike, and
 * records what becomes of each in {@link RowsOnTheirWay}. A row counts as published only when the broker has confirmed
 * it (a publisher confirm, {@code ack}) and has not returned it as unroutable (a mandatory publish that reached no
 * queue); a row nacked, returned or never sent is let go, for the relay to send again.
 */
@Component
class OutboxSender {

    private static final Logger log = LoggerFactory.getLogger(OutboxSender.class);

    private static final EventMessages MESSAGES = new EventMessages("order-service");

    private final RabbitTemplate rabbit;
    private final RowsOnTheirWay rows;
    private final OutboxTraces traces;

    /** Whether the last send reached the broker: only a change is logged, not every failed round of an outage. */
    private volatile boolean brokerReachable = true;

    OutboxSender(RabbitTemplate rabbit, RowsOnTheirWay rows, OutboxTraces traces) {
        this.rabbit = rabbit;
        this.rows = rows;
        this.traces = traces;
    }

    /**
     * Sends taken rows on one channel, in order; each future completes with whether the broker took that row. When the
     * broker cannot be reached at all, the futures of the rows not sent are already complete, with {@code false}.
     */
    List<CompletableFuture<Boolean>> send(List<OutboxMessage> batch) {
        List<CorrelationData> correlations = sendOnOneChannel(batch);
        List<CompletableFuture<Boolean>> results = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            OutboxMessage message = batch.get(i);
            if (i < correlations.size()) {
                results.add(outcome(message, correlations.get(i)));
            }
            else {
                // Never sent: the broker could not be reached.
                rows.letGo(message.id());
                results.add(CompletableFuture.completedFuture(false));
            }
        }
        return results;
    }

    /** Sends what it can of the batch; the correlations of the rows sent, in order (fewer than the rows if it failed). */
    private List<CorrelationData> sendOnOneChannel(List<OutboxMessage> batch) {
        List<CorrelationData> correlations = new ArrayList<>(batch.size());
        try {
            // invoke: the whole batch goes out on one channel, instead of a channel taken from the cache per message.
            rabbit.invoke(operations -> {
                for (OutboxMessage message : batch) {
                    // From now on the confirm timeout runs, after which the relay may send the row again.
                    rows.sent(message.id());
                    CorrelationData correlation = new CorrelationData(message.eventId().toString());
                    // In the row's trace: the template's publish span is a child of the checkout's, whoever sends the row.
                    try (CurrentTraceContext.Scope trace = traces.resume(message.traceparent())) {
                        operations.send(Topology.ORDERS_EXCHANGE, message.routingKey(), toAmqp(message), correlation);
                    }
                    correlations.add(correlation);
                }
                return null;
            });
            if (!brokerReachable) {
                brokerReachable = true;
                log.info("Broker reachable again, publishing the outbox");
            }
        }
        catch (AmqpException ex) {
            if (brokerReachable) {
                brokerReachable = false;
                log.warn("Broker unreachable, orders stay in the outbox until it is back: {}", ex.getMessage());
            }
        }
        return correlations;
    }

    /** What the broker's answer makes of a sent row: confirmed, or let go for the relay. */
    private CompletableFuture<Boolean> outcome(OutboxMessage message, CorrelationData correlation) {
        return correlation.getFuture().handle((confirm, error) -> {
            if (error == null && confirm.ack() && correlation.getReturned() == null) {
                rows.confirmed(message.id());
                return true;
            }
            rows.letGo(message.id());
            log.warn("Event {} of order {} not taken by the broker ({}); the relay will send it again",
                    message.eventId(), message.aggregateId(),
                    error != null ? error.getMessage()
                            : correlation.getReturned() != null ? "returned: " + correlation.getReturned().getReplyText()
                            : "nack: " + confirm.reason());
            return false;
        });
    }

    private static Message toAmqp(OutboxMessage message) {
        return MESSAGES.message(message.eventId(), message.aggregateId(), message.eventType(), message.eventVersion(),
                message.createdAt(), message.payload().getBytes(StandardCharsets.UTF_8));
    }
}
