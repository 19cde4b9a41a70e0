package dev.flashsale.order.messaging;

import java.util.ArrayList;
import java.util.List;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Declares the whole topology, not only the exchange this service publishes to: the workers'
 * queues exist from the order-service's first connection on, so an order published before a
 * worker has ever started waits in its queue instead of being dropped by a fanout with no queue, and the history
 * stream holds every order from the first one on.
 */
@Configuration(proxyBeanMethods = false)
class RabbitTopology {

    @Bean
    Declarables orderTopology() {
        FanoutExchange orders = new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false);
        DirectExchange deadLetters = new DirectExchange(Topology.DEAD_LETTER_EXCHANGE, true, false);
        List<Declarable> declarables = new ArrayList<>(List.of(orders, deadLetters));
        for (String name : Topology.WORK_QUEUES) {
            Queue queue = QueueBuilder.durable(name).withArguments(Topology.workQueueArguments(name)).build();
            Queue deadLetterQueue = QueueBuilder.durable(Topology.deadLetterQueue(name))
                    .withArguments(Topology.deadLetterQueueArguments()).build();
            declarables.add(queue);
            declarables.add(deadLetterQueue);
            declarables.add(BindingBuilder.bind(queue).to(orders));
            declarables.add(BindingBuilder.bind(deadLetterQueue).to(deadLetters).with(deadLetterQueue.getName()));
        }
        DirectExchange express = new DirectExchange(Topology.EXPRESS_EXCHANGE, true, false);
        Queue emailExpress = QueueBuilder.durable(Topology.EMAIL_EXPRESS_QUEUE)
                .withArguments(Topology.expressQueueArguments(Topology.EMAIL_QUEUE)).build();
        declarables.add(express);
        declarables.add(BindingBuilder.bind(express).to(orders));
        declarables.add(emailExpress);
        declarables.add(BindingBuilder.bind(emailExpress).to(express).with(Topology.routingKey(OrderPlaced.Priority.EXPRESS)));
        Queue history = QueueBuilder.durable(Topology.HISTORY_STREAM).withArguments(Topology.historyStreamArguments()).build();
        declarables.add(history);
        declarables.add(BindingBuilder.bind(history).to(orders));
        return new Declarables(declarables);
    }
}
