package dev.flashsale.analytics.sales;

import java.time.Instant;

import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/analytics/summary}: revenue and units per SKU and per minute, for a window (everything by default). */
@RestController
class SalesController {

    private final SalesService sales;

    SalesController(SalesService sales) {
        this.sales = sales;
    }

    @GetMapping("/api/analytics/summary")
    SalesSummary summary(
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
            @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to) {
        return sales.summary(from == null ? Instant.EPOCH : SalesService.minuteOf(from),
                to == null ? Instant.parse("9999-12-31T00:00:00Z") : to);
    }
}
