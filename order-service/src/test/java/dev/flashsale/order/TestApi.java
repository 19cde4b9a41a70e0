package dev.flashsale.order;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the service under test: what a user's curl does, in Java. */
public class TestApi {

    /** An HTTP answer, with its body parsed when it is JSON. */
    public record Answer(int status, HttpResponse<String> response, JsonNode json) {

        public String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }

        public UUID orderId() {
            return UUID.fromString(json.get("orderId").asString());
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Supplier<Integer> port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestApi(Supplier<Integer> port) {
        this.port = port;
    }

    /** A valid order for one SKU; {@code quantity} times 9.99 EUR. */
    public static String order(String sku, int quantity) {
        return """
                {"customer":{"id":"c-42","email":"ada@example.com"},
                 "lines":[{"sku":"%s","quantity":%d,"unitPrice":9.99}],
                 "currency":"EUR"}""".formatted(sku, quantity);
    }

    public Answer checkout(String json, String... headers) {
        return send(request("/api/orders", headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** The synchronous checkout, {@code POST /api/orders/sync}. */
    public Answer checkoutSync(String json, String... headers) {
        return send(request("/api/orders/sync", headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Answer get(String path) {
        return send(request(path).GET().build());
    }

    public Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String type = response.headers().firstValue("Content-Type").orElse("");
            JsonNode json = type.contains("json") && !response.body().isEmpty() ? JSON.readTree(response.body()) : null;
            return new Answer(response.statusCode(), response, json);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        return headers.length == 0 ? builder : builder.headers(headers);
    }

    /** A body of unknown length, sent chunked: the server cannot refuse it from its Content-Length. */
    public static HttpRequest.BodyPublisher chunked(byte[] body) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.get() + path);
    }
}
