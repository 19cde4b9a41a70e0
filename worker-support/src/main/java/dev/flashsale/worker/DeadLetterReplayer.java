package dev.flashsale.worker;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.GetResponse;
import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.AmqpIOException;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Moves messages from the worker's DLQ back to its work queue, once whatever made them fail is fixed.
 *
 * <p>Each message is published to this worker's queue only (through the default exchange, not the fanout,
 * so the other workers do not see it again), confirmed by the broker, and only then removed from the DLQ:
 * a replay interrupted half-way can duplicate a message, which the dedup table absorbs, but never lose one.
 */
public final class DeadLetterReplayer {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterReplayer.class);

    private final RabbitTemplate rabbit;
    private final String queue;

    DeadLetterReplayer(RabbitTemplate rabbit, String queue) {
        this.rabbit = rabbit;
        this.queue = queue;
    }

    /** Replays up to {@code max} messages, oldest first; returns how many were replayed. */
    public int replay(int max) {
        String dlq = Topology.deadLetterQueue(queue);
        Integer replayed = rabbit.execute(channel -> {
            channel.confirmSelect();
            int count = 0;
            while (count < max) {
                GetResponse dead = channel.basicGet(dlq, false);
                if (dead == null) {
                    break;
                }
                AMQP.BasicProperties properties = dead.getProps();
                Map<String, Object> headers = new HashMap<>(properties.getHeaders() == null ? Map.of() : properties.getHeaders());
                // A fresh start: the reason and the attempts of the last failure do not apply to the replay.
                headers.keySet().removeIf(name -> name.startsWith("x-exception") || name.equals(DeadLetterRecoverer.X_ATTEMPTS)
                        || name.equals(DeadLetterRecoverer.X_DEAD_LETTERED_AT) || name.equals(DeadLetterRecoverer.X_FAILED_QUEUE)
                        || name.startsWith("x-original"));
                headers.put("x-replayed-from", dlq);
                channel.basicPublish("", queue, true, properties.builder().headers(headers).deliveryMode(2).build(), dead.getBody());
                try {
                    channel.waitForConfirmsOrDie(10_000);
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IOException("Interrupted while waiting for the broker to confirm a replay", ex);
                }
                catch (TimeoutException ex) {
                    throw new IOException("The broker did not confirm a replay in time", ex);
                }
                channel.basicAck(dead.getEnvelope().getDeliveryTag(), false);
                count++;
                log.info("Replayed order {} from {} to {}", headers.get(EventHeaders.ORDER_ID), dlq, queue);
            }
            return count;
        });
        if (replayed == null) {
            throw new AmqpIOException(new IOException("No channel to replay " + dlq));
        }
        return replayed;
    }
}
