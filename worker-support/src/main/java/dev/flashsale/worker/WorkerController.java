package dev.flashsale.worker;

import java.util.UUID;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** What every worker shows over HTTP: its counters, and whether it has applied a given order. */
@RestController
class WorkerController {

    private final WorkerStats stats;
    private final IdempotentProcessor processor;

    WorkerController(WorkerStats stats, IdempotentProcessor processor) {
        this.stats = stats;
        this.processor = processor;
    }

    @GetMapping("/api/stats")
    WorkerStats.Snapshot stats() {
        return stats.snapshot();
    }

    @GetMapping("/api/processed/{orderId}")
    ResponseEntity<ProcessedOrder> processed(@PathVariable UUID orderId) {
        return ResponseEntity.of(processor.find(orderId));
    }
}
