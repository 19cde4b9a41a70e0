package dev.flashsale.worker;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** What every worker shows over HTTP: its counters, and whether it has applied a given order. */
@RestController
class WorkerController {

    private static final int MAX_PAGE = 10_000;

    /** The most order ids one lookup takes: enough for a page of latest orders, small enough for a URL. */
    static final int MAX_LOOKUP = 100;

    private final WorkerStats stats;
    private final IdempotentProcessor processor;
    private final ProcessedOrderRepository processedOrders;
    private final WorkerInstances instances;

    WorkerController(WorkerStats stats, IdempotentProcessor processor, ProcessedOrderRepository processedOrders,
            WorkerInstances instances) {
        this.stats = stats;
        this.processor = processor;
        this.processedOrders = processedOrders;
        this.instances = instances;
    }

    /**
     * This process's counters (the fields at the top, as they always were), then every live process of this worker with
     * its counters ({@code instances}) and their sum ({@code total}): whichever process a load balancer sends the
     * request to, the answer shows them all.
     */
    @GetMapping("/api/stats")
    WorkerStats.Snapshot stats() {
        WorkerStats.Snapshot own = stats.snapshot();
        try {
            List<WorkerInstances.Instance> live = instances.live();
            return own.withInstances(instances.id().value(), live, WorkerInstances.total(live));
        }
        catch (DataAccessException ex) {
            // This process's own counters are still worth showing.
            return own.withInstances(instances.id().value(), List.of(), null);
        }
    }

    /**
     * Every order this worker has applied (while its dedup row is kept), a page at a time in order-id order: pass
     * the last order id of a page as {@code after} to get the next. The benchmark compares these with the orders
     * the checkout accepted.
     */
    @GetMapping("/api/processed")
    List<ProcessedOrder> processed(@RequestParam(defaultValue = "00000000-0000-0000-0000-000000000000") UUID after,
            @RequestParam(defaultValue = "1000") int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "limit must be between 1 and " + MAX_PAGE);
        }
        return processor.page(after, limit);
    }

    /**
     * Which of the given orders this worker has applied ({@code ?orderId=…&orderId=…}): their rows, in no particular
     * order; an order it has not applied (yet) is absent. One query for many orders, so that the dashboard asks each
     * worker once per refresh instead of once per order. Read straight from the dedup table: it is a read.
     */
    @GetMapping(path = "/api/processed", params = "orderId")
    List<ProcessedOrder> processedAmong(@RequestParam List<UUID> orderId) {
        if (orderId.size() > MAX_LOOKUP) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "at most " + MAX_LOOKUP + " orderId parameters, not " + orderId.size());
        }
        return processedOrders.findAll(Set.copyOf(orderId));
    }

    @GetMapping("/api/processed/{orderId}")
    ResponseEntity<ProcessedOrder> processed(@PathVariable UUID orderId) {
        return ResponseEntity.of(processor.find(orderId));
    }
}
