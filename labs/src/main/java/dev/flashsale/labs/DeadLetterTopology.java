package dev.flashsale.labs;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;

/**
 * A lab's quorum queue with a dead-letter queue of its own, as each work queue of the system has one: what the queue
 * rejects goes through the exchange {@code dlx} to {@code queue.dlq}.
 */
record DeadLetterTopology(String queue, String dlx, String dlq) {

    DeadLetterTopology(String queue, String dlx) {
        this(queue, dlx, queue + ".dlq");
    }

    /** Declares the three, the queue with {@code moreArguments} besides its type and dead-letter exchange. */
    void declare(Channel channel, Map<String, Object> moreArguments) throws IOException {
        channel.exchangeDeclare(dlx, BuiltinExchangeType.DIRECT, true);
        channel.queueDeclare(dlq, true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueBind(dlq, dlx, dlq);
        Map<String, Object> arguments = new HashMap<>(moreArguments);
        arguments.putAll(Map.of(
                "x-queue-type", "quorum",
                "x-dead-letter-exchange", dlx,
                "x-dead-letter-routing-key", dlq));
        channel.queueDeclare(queue, true, false, false, arguments);
    }

    /** Also run first: a run that was killed half-way leaves its queues behind, with its messages in them. */
    void delete(Channel channel) throws IOException {
        channel.queueDelete(queue);
        channel.queueDelete(dlq);
        channel.exchangeDelete(dlx);
    }
}
