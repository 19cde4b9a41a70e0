package dev.flashsale.order.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.core.RabbitAdmin;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Declares the topology when the service starts, not at its first publish. If the broker is
 * down then, the service starts anyway (checkouts go to the outbox) and the admin declares the
 * topology on the first connection that succeeds.
 */
@Component
class TopologyInitializer {

    private static final Logger log = LoggerFactory.getLogger(TopologyInitializer.class);

    private final AmqpAdmin admin;

    TopologyInitializer(AmqpAdmin admin) {
        this.admin = admin;
    }

    @EventListener(ApplicationReadyEvent.class)
    void declare() {
        if (!(admin instanceof RabbitAdmin rabbitAdmin)) {
            return;
        }
        try {
            rabbitAdmin.initialize();
        }
        catch (AmqpException ex) {
            log.warn("Broker unreachable at start-up; the topology is declared on the first connection: {}", ex.getMessage());
        }
    }
}
