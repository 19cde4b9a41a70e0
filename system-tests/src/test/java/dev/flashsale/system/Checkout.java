package dev.flashsale.system;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A client of the order-service and the workers' HTTP APIs, as a test uses them. */
final class Checkout {

    static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Places {@code count} orders, {@code parallelism} at a time, each for 1 to 3 units of SKU-1 at 9.99;
     * returns the accepted order ids with their quantities.
     */
    Map<UUID, Integer> placeOrders(URI orderService, int count, int parallelism) throws Exception {
        Map<UUID, Integer> accepted = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(parallelism);
        try {
            List<Future<?>> results = IntStream.range(0, count).<Future<?>>mapToObj(i -> pool.submit(() -> {
                int quantity = ThreadLocalRandom.current().nextInt(1, 4);
                String body = """
                        {"customer":{"id":"c-%d","email":"buyer%d@example.com"},
                         "lines":[{"sku":"SKU-1","quantity":%d,"unitPrice":9.99}],"currency":"EUR"}"""
                        .formatted(i, i, quantity);
                HttpResponse<String> response = send(HttpRequest.newBuilder(orderService.resolve("/api/orders"))
                        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build());
                if (response.statusCode() != 202) {
                    throw new IllegalStateException("Checkout answered " + response.statusCode() + ": " + response.body());
                }
                accepted.put(UUID.fromString(JSON.readTree(response.body()).get("orderId").asString()), quantity);
                return null;
            })).toList();
            for (Future<?> result : results) {
                result.get();
            }
        }
        finally {
            pool.shutdownNow();
        }
        return accepted;
    }

    /** An HTTP answer with its body as JSON (null when empty). */
    record Answer(int status, JsonNode json) {
    }

    /** POSTs a JSON body, with optional header name/value pairs. */
    Answer post(URI uri, String body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            request.headers(headers);
        }
        HttpResponse<String> response = send(request.build());
        return new Answer(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    /** A valid order of {@code quantity} units of SKU-1 at 9.99 EUR. */
    static String order(int quantity) {
        return """
                {"customer":{"id":"c-sync","email":"sync@example.com"},
                 "lines":[{"sku":"SKU-1","quantity":%d,"unitPrice":9.99}],"currency":"EUR"}""".formatted(quantity);
    }

    /** GET as JSON; null for a 404. */
    JsonNode get(URI uri) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).GET().build());
        if (response.statusCode() == 404) {
            return null;
        }
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** POSTs an empty body with the admin credentials of a system started by the tests; answers the response. */
    HttpResponse<String> postAsAdmin(URI uri) {
        return send(asAdmin(HttpRequest.newBuilder(uri)).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** GET as JSON with the admin credentials; anything but a 200 fails. */
    JsonNode getAsAdmin(URI uri) {
        HttpResponse<String> response = send(asAdmin(HttpRequest.newBuilder(uri)).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return JSON.readTree(response.body());
    }

    /** PUTs a JSON body with the admin credentials. */
    Answer putAsAdmin(URI uri, String body) {
        HttpResponse<String> response = send(asAdmin(HttpRequest.newBuilder(uri)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body)).build());
        return new Answer(response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
    }

    /** GET as text (e.g. a Prometheus scrape); anything but a 200 fails. */
    String getText(URI uri) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri).GET().build());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }

    /**
     * A series of a service's {@code /actuator/prometheus}, summed over its labels: {@code flashsale_outbox_relayed_total},
     * say, or {@code flashsale_worker_processed_total{queue="inventory"}} for one set of labels. 0 when absent.
     */
    double metric(URI service, String series) {
        return getText(service.resolve("/actuator/prometheus")).lines()
                .filter(line -> line.startsWith(series + " ") || line.startsWith(series + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }

    private static HttpRequest.Builder asAdmin(HttpRequest.Builder request) {
        String credentials = FlashSaleSystem.ADMIN_USERNAME + ":" + FlashSaleSystem.ADMIN_PASSWORD;
        return request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (IOException ex) {
            throw new IllegalStateException(request.method() + " " + request.uri() + " failed: " + ex, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
