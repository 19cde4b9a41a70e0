package dev.flashsale.dashboard;

import java.net.MalformedURLException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;

import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.ClientParameters;
import com.rabbitmq.http.client.JdkHttpClientHttpLayer;
import dev.flashsale.events.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * The dashboard, in a service that has a checkout to show: present when the service declares a {@link CheckoutView}
 * (the order-service does), as admin-security is present in every service that has it on its class path. Its parts:
 * the page ({@code static/} of this jar, which Boot serves at {@code /}), its snapshot, the relay to the workers' admin
 * APIs and the poison message.
 *
 * <p>The broker's management API is found by default with the service's own AMQP user and virtual host, the workers
 * where the synchronous checkout finds them, both with short timeouts, so that a party that does not answer shows as
 * unreachable within a refresh or two.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnBean(CheckoutView.class)
@EnableConfigurationProperties(DashboardProperties.class)
@Import({ DashboardController.class, WorkerAdminRelay.class, PoisonMessageController.class })
public class DashboardAutoConfiguration {

    /** Static, so that the registry can take it before this configuration exists (it is a filter of the registry). */
    @Bean
    static CheckoutTimers checkoutTimers() {
        return new CheckoutTimers();
    }

    @Bean
    CheckoutLatency checkoutLatency(MeterRegistry registry) {
        return new CheckoutLatency(registry);
    }

    @Bean
    BrokerStats brokerStats(DashboardProperties properties, RabbitProperties rabbit) throws MalformedURLException, URISyntaxException {
        DashboardProperties.RabbitManagement management = properties.rabbitmq();
        String username = management.username() != null ? management.username() : rabbit.determineUsername();
        String password = management.password() != null ? management.password() : rabbit.determinePassword();
        String virtualHost = management.virtualHost() != null ? management.virtualHost() : rabbit.determineVirtualHost();
        // RabbitMQ's own client of its management API, on the JDK's HTTP client with the dashboard's timeouts. A request
        // consumer of one's own replaces the client's default one, which is also what sends the credentials: so here too.
        String authorization = JdkHttpClientHttpLayer.authorization(username, password);
        Client client = new Client(new ClientParameters()
                .url(UriComponentsBuilder.fromUri(management.url()).path("/api/").build().toUri().toURL())
                .username(username).password(password)
                .httpLayerFactory(JdkHttpClientHttpLayer.configure()
                        .clientBuilderConsumer(http -> http.version(HttpClient.Version.HTTP_1_1).connectTimeout(properties.timeout()))
                        .requestBuilderConsumer(request -> request.timeout(properties.timeout()).setHeader("Authorization", authorization))
                        .create()));
        return new BrokerStats(client, management.url(), virtualHost == null || virtualHost.isEmpty() ? "/" : virtualHost);
    }

    @Bean
    WorkerApis workerApis(RestClient.Builder builder, DashboardProperties properties, CheckoutView checkout) {
        JdkClientHttpRequestFactory requests = requests(properties);
        CheckoutView.WorkerUrls urls = checkout.workerUrls();
        return new WorkerApis(List.of(
                worker("email-worker", Topology.EMAIL_QUEUE, urls.email(), builder, requests),
                worker("inventory-worker", Topology.INVENTORY_QUEUE, urls.inventory(), builder, requests),
                worker("analytics-worker", Topology.ANALYTICS_QUEUE, urls.analytics(), builder, requests)));
    }

    @Bean
    DashboardService dashboardService(CheckoutView checkout, BrokerStats brokerStats, WorkerApis workerApis,
            CheckoutLatency latency, DashboardProperties properties) {
        return new DashboardService(checkout, brokerStats, workerApis.all(), latency, properties, Clock.systemUTC());
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
