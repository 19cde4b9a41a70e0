package dev.flashsale.load;

import java.net.URI;
import java.util.List;

import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.Service;
import dev.flashsale.system.ServiceProcess;

/**
 * The three workers' HTTP APIs as the benchmark steers them: their consumption switch and rate cap, and their applied
 * counters (what they have done is read for the accounting by the system tests' {@code WorkerEvidence}).
 */
final class WorkerApis {

    /**
     * One worker's HTTP API.
     *
     * @param instances every process of the worker: their counters count since each started, for that process alone
     */
    record Worker(String name, String queue, List<URI> instances) {

        /** Orders applied since the processes started (their counters, summed over the worker's processes). */
        long appliedSinceStart() {
            return instances.stream().mapToLong(instance -> JsonHttp.get(instance.resolve("/api/stats")).path("processed").asLong()).sum();
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
        return new Worker(name, queue,
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
}
