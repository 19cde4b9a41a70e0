package dev.flashsale.order.downstream;

import java.net.URI;
import java.net.http.HttpClient;
import java.util.List;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/** The workers as the synchronous checkout calls them: one HTTP client each, in the order they are called. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(DownstreamProperties.class)
class DownstreamConfiguration {

    @Bean
    Workers workers(RestClient.Builder builder, DownstreamProperties properties) {
        // One JDK HTTP client for all three: it keeps connections alive and pools them per worker.
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(properties.connectTimeout())
                .build();
        JdkClientHttpRequestFactory requests = new JdkClientHttpRequestFactory(client);
        requests.setReadTimeout(properties.readTimeout());
        return new Workers(List.of(
                worker("inventory-worker", properties.inventoryUrl(), builder, requests),
                worker("email-worker", properties.emailUrl(), builder, requests),
                worker("analytics-worker", properties.analyticsUrl(), builder, requests)));
    }

    private static WorkerClient worker(String name, URI url, RestClient.Builder builder, JdkClientHttpRequestFactory requests) {
        return new WorkerClient(name, builder.clone().baseUrl(url.toString()).requestFactory(requests).build());
    }
}
