package dev.flashsale.dashboard;

import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.jspecify.annotations.Nullable;
import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.ResponseEntity;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/** One worker's HTTP API as the dashboard uses it: its counters, which of the latest orders it applied, its admin API. */
final class WorkerApi {

    private final String name;
    private final String queue;
    private final URI baseUrl;
    private final RestClient http;

    WorkerApi(String name, String queue, URI baseUrl, RestClient http) {
        this.name = name;
        this.queue = queue;
        this.baseUrl = baseUrl;
        this.http = http;
    }

    /** The worker's name, as its module is called. */
    String name() {
        return name;
    }

    /** The worker's counters and, of the given orders, those it has applied with their outcome. */
    View view(Collection<UUID> orderIds) {
        try {
            Snapshot.WorkerStats stats = http.get().uri("/api/stats").retrieve().body(Snapshot.WorkerStats.class);
            Map<UUID, String> applied = new HashMap<>();
            if (!orderIds.isEmpty()) {
                List<Applied> rows = http.get().uri(uri -> uri.path("/api/processed").queryParam("orderId", orderIds.toArray()).build())
                        .retrieve().body(new ParameterizedTypeReference<List<Applied>>() { });
                rows.forEach(row -> applied.put(row.orderId(), row.outcome()));
            }
            return new View(new Snapshot.Worker(name, queue, true, null, stats), applied);
        }
        catch (RestClientException ex) {
            return new View(new Snapshot.Worker(name, queue, false,
                    name + " at " + baseUrl + " did not answer: " + ex.getMostSpecificCause().getMessage(), null), Map.of());
        }
    }

    /** The queue this worker consumes. */
    String queue() {
        return queue;
    }

    /** The analytics worker's last rebuild from the history stream; empty if it did not answer. */
    Optional<Snapshot.Rebuild> rebuild() {
        try {
            return Optional.ofNullable(http.get().uri("/api/analytics/history/rebuild").retrieve().body(Snapshot.Rebuild.class));
        }
        catch (RestClientException ex) {
            return Optional.empty();
        }
    }

    /**
     * Sends an admin request to the worker as it came, with the caller's credentials, and answers what the worker
     * answered.
     *
     * @param path the path under the worker's {@code /api/admin}, e.g. {@code /faults}
     * @throws RestClientException when the worker cannot be reached or does not answer in time
     */
    ResponseEntity<byte[]> relay(HttpMethod method, String path, @Nullable String query, @Nullable String authorization,
            @Nullable String contentType, byte @Nullable [] body) {
        URI uri = URI.create(baseUrl + "/api/admin" + path + (query == null ? "" : "?" + query));
        RestClient.RequestBodySpec request = http.method(method).uri(uri).headers(headers -> {
            if (authorization != null) {
                headers.set(HttpHeaders.AUTHORIZATION, authorization);
            }
            if (contentType != null) {
                headers.set(HttpHeaders.CONTENT_TYPE, contentType);
            }
        });
        if (body != null && body.length > 0) {
            request.body(body);
        }
        return request.exchange((sent, response) -> {
            HttpHeaders headers = new HttpHeaders();
            if (response.getHeaders().getContentType() != null) {
                headers.setContentType(response.getHeaders().getContentType());
            }
            return ResponseEntity.status(response.getStatusCode()).headers(headers).body(response.getBody().readAllBytes());
        });
    }

    /**
     * What the worker tells about itself, and what it applied of the orders asked about.
     *
     * @param worker the counters, or why they are missing
     * @param applied order id to outcome, for the orders it has applied
     */
    record View(Snapshot.Worker worker, Map<UUID, String> applied) {
    }

    /** One row of the worker's lookup, of which the dashboard keeps the order and the outcome. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Applied(UUID orderId, String outcome) {
    }
}
