package dev.flashsale.order.downstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;

import dev.flashsale.security.ServiceCredentialsProperties;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The workers as the synchronous checkout calls them: one HTTP client each, in the order they are called, each
 * presenting the service credentials (the workers take that call from the other services only).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DownstreamProperties.class)
class DownstreamConfiguration {

    @Bean
    WorkerCallChain workerCallChain(RestClient.Builder builder, DownstreamProperties properties, ServiceCredentialsProperties credentials) {
        // One JDK HTTP client for all three: it keeps connections alive and pools them per worker.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.connectTimeout())
                .build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(client);
        requests.setReadTimeout(properties.readTimeout());
        RestClient.Builder authenticated = builder.clone().requestFactory(requests)
                .defaultHeaders(headers -> headers.setBasicAuth(credentials.username(), credentials.password()));
        return new WorkerCallChain(List.of(
                worker("inventory-worker", properties.inventoryUrl(), authenticated),
                worker("email-worker", properties.emailUrl(), authenticated),
                worker("analytics-worker", properties.analyticsUrl(), authenticated)));
    }

    private static WorkerClient worker(String name, URI url, RestClient.Builder builder) {
        return new WorkerClient(name, builder.clone().baseUrl(url.toString()).build());
    }
}
