package dev.flashsale.modulith;

import dev.flashsale.events.Topology;
import dev.flashsale.security.AccessRule;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;

@Configuration(proxyBeanMethods = false)
class PeerConfiguration {

    /** The public checkout, as on the order-service; everything else that changes state needs credentials. */
    @Bean
    AccessRule checkout() {
        return AccessRule.anyone(HttpMethod.POST, "/api/orders");
    }

    /**
     * Only the exchange it publishes to: the queues, their dead-letter queues and bindings belong to the order-service
     * and the workers (common-events' {@code Topology}), beside which the peer runs.
     */
    @Bean
    FanoutExchange ordersExchange() {
        return new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false);
    }
}
