package dev.flashsale.order.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;

import dev.flashsale.events.Topology;
import dev.flashsale.order.checkout.RecentOrders;
import dev.flashsale.order.downstream.DownstreamProperties;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The dashboard's parts: where it finds the broker's management API (by default with the service's own AMQP user and
 * virtual host) and the workers (where the synchronous checkout finds them), with short timeouts, so that a party that
 * does not answer shows as unreachable within a refresh or two.
 */
@Configuration(proxyBeanMethods = false)
class DashboardConfiguration {

    @Bean
    BrokerStats brokerStats(RestClient.Builder builder, DashboardProperties properties, RabbitProperties rabbit) {
        DashboardProperties.RabbitManagement management = properties.rabbitmq();
        String username = management.username() != null ? management.username() : rabbit.determineUsername();
        String password = management.password() != null ? management.password() : rabbit.determinePassword();
        String virtualHost = management.virtualHost() != null ? management.virtualHost() : rabbit.determineVirtualHost();
        RestClient http = builder.clone().requestFactory(requests(properties))
                .defaultHeaders(headers -> headers.setBasicAuth(username, password)).build();
        return new BrokerStats(http, management.url(), virtualHost == null || virtualHost.isEmpty() ? "/" : virtualHost);
    }

    @Bean
    WorkerApis workerApis(RestClient.Builder builder, DashboardProperties properties, DownstreamProperties downstream) {
        JdkClientHttpRequestFactory requests = requests(properties);
        return new WorkerApis(List.of(
                worker("email-worker", Topology.EMAIL_QUEUE, downstream.emailUrl(), builder, requests),
                worker("inventory-worker", Topology.INVENTORY_QUEUE, downstream.inventoryUrl(), builder, requests),
                worker("analytics-worker", Topology.ANALYTICS_QUEUE, downstream.analyticsUrl(), builder, requests)));
    }

    @Bean
    DashboardService dashboardService(RecentOrders recentOrders, BrokerStats brokerStats, WorkerApis workerApis,
            CheckoutLatency latency, DashboardProperties properties) {
        return new DashboardService(recentOrders, brokerStats, workerApis.all(), latency, properties, Clock.systemUTC());
    }

    private static WorkerApi worker(String name, String queue, URI url, RestClient.Builder builder, JdkClientHttpRequestFactory requests) {
        return new WorkerApi(name, queue, url, builder.clone().baseUrl(url.toString()).requestFactory(requests).build());
    }

    private static JdkClientHttpRequestFactory requests(DashboardProperties properties) {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(properties.timeout()).build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(client);
        requests.setReadTimeout(properties.timeout());
        return requests;
    }
}
