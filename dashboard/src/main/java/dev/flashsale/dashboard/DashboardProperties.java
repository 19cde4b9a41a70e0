package dev.flashsale.dashboard;

import java.net.URI;
import java.time.Duration;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The dashboard's settings ({@code flashsale.dashboard.*}). The workers are where the synchronous checkout finds them
 * ({@code flashsale.downstream.*-url}).
 *
 * @param latestOrders how many of the latest orders it shows, with their status at each worker (at most 100: the
 *        workers' lookup takes that many ids)
 * @param maxAge how long one snapshot serves every open page: a dozen browsers cost what one does
 * @param timeout how long it waits for the broker's management API and for each worker before it shows them as
 *        unreachable
 * @param rabbitmq where RabbitMQ's management API answers, for queue depths and rates
 */
@ConfigurationProperties("flashsale.dashboard")
record DashboardProperties(
        @DefaultValue("15") int latestOrders,
        @DefaultValue("500ms") Duration maxAge,
        @DefaultValue("2s") Duration timeout,
        @DefaultValue RabbitManagement rabbitmq) {

    DashboardProperties {
        if (latestOrders < 1 || latestOrders > 100) {
            throw new IllegalArgumentException("flashsale.dashboard.latest-orders must be between 1 and 100, not " + latestOrders);
        }
    }

    /**
     * RabbitMQ's management API. What is not set is taken from the service's own AMQP connection
     * ({@code spring.rabbitmq.*}): the same user, password and virtual host.
     *
     * @param url the management API's base address
     * @param username its user, by default the AMQP user
     * @param password its password, by default the AMQP password
     * @param virtualHost the virtual host whose queues are shown, by default the AMQP connection's
     */
    record RabbitManagement(
            @DefaultValue("http://localhost:15672") URI url,
            @Nullable String username,
            @Nullable String password,
            @Nullable String virtualHost) {
    }
}
