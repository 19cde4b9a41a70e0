package dev.flashsale.dashboard;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dashboard's data, {@code GET /api/dashboard}, which the page ({@code /}) polls every second while it is visible.
 * Open without credentials, like the workers' stats and the actuator's metrics: it shows counters, queues and order
 * ids, no customer's data, and changes nothing.
 */
@RestController
class DashboardController {

    private final DashboardService dashboard;

    DashboardController(DashboardService dashboard) {
        this.dashboard = dashboard;
    }

    @GetMapping(path = "/api/dashboard", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Snapshot> snapshot() {
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(dashboard.snapshot());
    }
}
