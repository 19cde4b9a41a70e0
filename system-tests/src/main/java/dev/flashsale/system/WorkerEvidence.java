package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a worker says it has done, read from its own HTTP API (public reads, no credentials): the orders in its dedup
 * table, the stock it keeps, the totals it counts, its unanswered sends. The exactly-once accounting's evidence.
 */
public final class WorkerEvidence {

    /** Rows of the dedup table per request: the API's own maximum. */
    private static final int PAGE = 10_000;

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private WorkerEvidence() {
    }

    /** Orders and units the analytics worker has counted, in all. */
    public record AnalyticsTotals(long orders, long units) {
    }

    /** Every order a worker has applied, with when it committed, from its dedup table, a page at a time in order-id order. */
    public static Map<UUID, Instant> applied(URI worker) {
        Map<UUID, Instant> applied = new HashMap<>();
        UUID after = new UUID(0, 0);
        while (true) {
            JsonNode page = get(worker.resolve("/api/processed?after=" + after + "&limit=" + PAGE));
            for (JsonNode row : page) {
                after = UUID.fromString(row.get("orderId").asString());
                applied.put(after, Instant.parse(row.get("processedAt").asString()));
            }
            if (page.size() < PAGE) {
                return applied;
            }
        }
    }

    /** Units still in stock, per SKU, as the inventory worker says. */
    public static Map<String, Long> stock(URI inventoryWorker) {
        Map<String, Long> stock = new HashMap<>();
        for (JsonNode level : get(inventoryWorker.resolve("/api/stock"))) {
            stock.put(level.get("sku").asString(), level.get("available").asLong());
        }
        return stock;
    }

    public static AnalyticsTotals analytics(URI analyticsWorker) {
        JsonNode summary = get(analyticsWorker.resolve("/api/analytics/summary"));
        long units = 0;
        for (JsonNode sku : summary.get("perSku")) {
            units += sku.get("units").asLong();
        }
        return new AnalyticsTotals(summary.get("orders").asLong(), units);
    }

    /**
     * Mails whose data went to SMTP and whose reply never came, since this process of the email worker started: each
     * was sent again, so the SMTP server may hold a second copy.
     */
    public static long unansweredSends(URI emailWorkerProcess) {
        return get(emailWorkerProcess.resolve("/api/stats")).path("workerCounts").path("unansweredSends").asLong();
    }

    private static JsonNode get(URI uri) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException("GET " + uri, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
