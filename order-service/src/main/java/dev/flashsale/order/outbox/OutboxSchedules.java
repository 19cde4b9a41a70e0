package dev.flashsale.order.outbox;

import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/** Every background task of the outbox, with its period, in one place. */
@Configuration(proxyBeanMethods = false)
class OutboxSchedules implements SchedulingConfigurer {

    private final OutboxPublisher publisher;
    private final OutboxRelay relay;
    private final OutboxLease lease;
    private final OutboxProperties properties;

    OutboxSchedules(OutboxPublisher publisher, OutboxRelay relay, OutboxLease lease, OutboxProperties properties) {
        this.publisher = publisher;
        this.relay = relay;
        this.lease = lease;
        this.properties = properties;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar registrar) {
        registrar.addFixedDelayTask(publisher::markConfirmed, properties.markInterval());
        registrar.addFixedDelayTask(relay::relay, properties.relayInterval());
        registrar.addFixedDelayTask(relay::purgeExpired, properties.purgeInterval());
        registrar.addFixedDelayTask(lease::heartbeat, properties.heartbeatInterval());
        // The safety net of OutboxLease: orphans the heartbeats missed (an owner unregistered mid-append, say).
        registrar.addFixedDelayTask(lease::adoptOrphans, properties.purgeInterval());
    }
}
