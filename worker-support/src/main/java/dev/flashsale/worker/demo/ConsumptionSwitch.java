package dev.flashsale.worker.demo;

import java.util.Collection;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.MessageListenerContainer;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;

/**
 * Whether this worker takes messages from its queue, and the switch that stops and resumes it: the listener containers
 * of the worker's {@code @RabbitListener}s, as Spring AMQP's registry holds them.
 *
 * <p>Stopping is graceful: the messages being handled are finished and acknowledged, those prefetched and not yet
 * handled go back to the queue, and everything published meanwhile waits there (the queue absorbs the load: backpressure
 * made visible). The container that parks dead letters is not in the registry, so dead letters are still parked.
 */
public final class ConsumptionSwitch {

    private static final Logger log = LoggerFactory.getLogger(ConsumptionSwitch.class);

    private final RabbitListenerEndpointRegistry registry;

    ConsumptionSwitch(RabbitListenerEndpointRegistry registry) {
        this.registry = registry;
    }

    /** True when every listener container runs; not synchronized, so that the stats answer while a stop waits. */
    public boolean consuming() {
        Collection<MessageListenerContainer> containers = registry.getListenerContainers();
        return !containers.isEmpty() && containers.stream().allMatch(MessageListenerContainer::isRunning);
    }

    /**
     * The consumers the containers have started and not yet cancelled, on the work queue and the express queue:
     * between the listener's concurrency and its max-concurrency while consuming, 0 once stopped. (Every worker
     * container is a simple one, {@code WorkerDefaults}: the only kind that counts its consumers.)
     */
    public int consumers() {
        return registry.getListenerContainers().stream()
                .mapToInt(container -> container instanceof SimpleMessageListenerContainer simple ? simple.getActiveConsumerCount() : 0)
                .sum();
    }

    /** Stops taking messages; returns once the messages being handled are done (or the containers' shutdown timeout). */
    public synchronized void stop() {
        registry.getListenerContainers().forEach(MessageListenerContainer::stop);
        log.warn("Consumption stopped: messages wait in the queue until it is resumed");
    }

    public synchronized void resume() {
        registry.getListenerContainers().forEach(MessageListenerContainer::start);
        log.info("Consumption resumed");
    }
}
