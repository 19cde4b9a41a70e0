package dev.flashsale.analytics.sales;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.IdempotentProcessor;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Service;

/** Records each order's lines once, bucketed by the minute the order was placed, and sums them up. */
@Service
public class SalesService {

    private final IdempotentProcessor processor;
    private final SalesRepository sales;

    SalesService(IdempotentProcessor processor, SalesRepository sales) {
        this.processor = processor;
        this.sales = sales;
    }

    /** Records the order's sales once, however often the order is delivered. */
    public Optional<Outcome> record(OrderPlaced event) {
        return processor.processOnce(event, this::insertLines);
    }

    /** Runs inside the dedup transaction. */
    private Outcome insertLines(OrderPlaced event) {
        // Event time, not processing time: a backlog drained later still lands in the minute of the sale.
        Instant minute = minuteOf(event.occurredAt());
        List<OrderPlaced.Line> lines = event.lines();
        for (int i = 0; i < lines.size(); i++) {
            OrderPlaced.Line line = lines.get(i);
            sales.insert(event.orderId(), i, line.sku(), minute, line.quantity(), line.amount(), event.currency());
        }
        return Outcome.applied();
    }

    SalesSummary summary(Instant from, Instant to) {
        return new SalesSummary(from, to, sales.orders(from, to), sales.perSku(from, to), sales.perMinute(from, to));
    }

    static Instant minuteOf(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MINUTES);
    }
}
