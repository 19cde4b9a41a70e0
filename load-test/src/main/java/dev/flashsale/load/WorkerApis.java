package dev.flashsale.load;

import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.Service;
import dev.flashsale.system.ServiceProcess;

/** The three workers' HTTP APIs as the benchmark reads and steers them: what each has applied, their effects, and their consumption switch and rate cap. */
final class WorkerApis {

    /**
     * One worker's HTTP API.
     *
     * @param base its first process: what it reads from its database (dedup table, stock, totals) any process answers
     *        for all, as they share it
     * @param instances every process of the worker: their counters count since each started, for that process alone
     */
    record Worker(String name, String queue, URI base, List<URI> instances) {

        /** Orders applied since the processes started (their counters, summed over the worker's processes). */
        long appliedSinceStart() {
            return instances.stream().mapToLong(instance -> JsonHttp.get(instance.resolve("/api/stats")).path("processed").asLong()).sum();
        }

        /**
         * Mails whose data went to SMTP and whose reply never came, since the processes started: each was sent again, so
         * the SMTP server may hold a second copy (the email worker's count, summed over its processes; 0 for the others).
         */
        long unansweredSends() {
            return instances.stream().mapToLong(instance -> JsonHttp.get(instance.resolve("/api/stats")).path("workerCounts")
                    .path("unansweredSends").asLong()).sum();
        }

        /** Every order this worker has applied, with when, from its dedup table, a page at a time. */
        Map<UUID, Instant> applied() {
            Map<UUID, Instant> applied = new HashMap<>();
            String after = "00000000-0000-0000-0000-000000000000";
            while (true) {
                JsonNode page = JsonHttp.get(base.resolve("/api/processed?limit=10000&after=" + after));
                for (JsonNode row : page) {
                    applied.put(UUID.fromString(row.get("orderId").asText()), Instant.parse(row.get("processedAt").asText()));
                    after = row.get("orderId").asText();
                }
                if (page.size() < 10_000) {
                    return applied;
                }
            }
        }
    }

    private final List<Worker> all;

    WorkerApis(FlashSaleSystem system) {
        this.all = List.of(
                worker(system, "email-worker", "email.order-placed", Service.EMAIL_WORKER),
                worker(system, "inventory-worker", "inventory.order-placed", Service.INVENTORY_WORKER),
                worker(system, "analytics-worker", "analytics.order-placed", Service.ANALYTICS_WORKER));
    }

    private static Worker worker(FlashSaleSystem system, String name, String queue, Service service) {
        return new Worker(name, queue, system.uri(service),
                system.processes(service).stream().map(ServiceProcess::baseUri).toList());
    }

    List<Worker> all() {
        return all;
    }

    /** Stops every worker's consumption (its admin API): the orders wait in the queues, nothing is applied. */
    void pauseAll() {
        toEach("PUT", "/api/admin/consumption", "{\"consuming\":false}");
    }

    /** Every worker consumes again. */
    void resumeAll() {
        toEach("PUT", "/api/admin/consumption", "{\"consuming\":true}");
    }

    /** Caps every worker at so many orders a second (its admin API's rate cap). */
    void capAll(int perSecond) {
        toEach("PUT", "/api/admin/consumption/max-rate", "{\"perSecond\":" + perSecond + "}");
    }

    /** Takes every worker's rate cap off. */
    void uncapAll() {
        toEach("DELETE", "/api/admin/consumption/max-rate", null);
    }

    /** The same admin request to every process of every worker (consumption and its cap belong to each process). */
    private void toEach(String method, String path, String body) {
        all.forEach(worker -> worker.instances().forEach(instance -> JsonHttp.admin(method, instance.resolve(path), body)));
    }

    Worker named(String name) {
        return all.stream().filter(worker -> worker.name().equals(name)).findFirst().orElseThrow();
    }

    /** Units still in stock, per SKU, as the inventory worker says. */
    Map<String, Long> stock() {
        Map<String, Long> stock = new HashMap<>();
        for (JsonNode level : JsonHttp.get(named("inventory-worker").base().resolve("/api/stock"))) {
            stock.put(level.get("sku").asText(), level.get("available").asLong());
        }
        return stock;
    }

    /** Orders and units the analytics worker has counted, in all. */
    long[] analyticsOrdersAndUnits() {
        JsonNode summary = JsonHttp.get(named("analytics-worker").base().resolve("/api/analytics/summary"));
        long units = 0;
        for (JsonNode sku : summary.get("perSku")) {
            units += sku.get("units").asLong();
        }
        return new long[] { summary.get("orders").asLong(), units };
    }
}
