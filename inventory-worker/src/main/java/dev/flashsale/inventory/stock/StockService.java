package dev.flashsale.inventory.stock;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.Outcome;

import org.springframework.stereotype.Service;

/**
 * Reserves the stock of an order, all lines or none, and never more than there is.
 *
 * <p>An order that asks for more than is available, or for an unknown product, is rejected: a business
 * outcome recorded with its reason beside the dedup row, not a failure (no retry, no dead letter).
 */
@Service
public class StockService {

    static final String RESERVED = "reserved";
    static final String REJECTED = "rejected";

    private final StockRepository stock;

    StockService(StockRepository stock) {
        this.stock = stock;
    }

    /**
     * Locks the stock rows of all the batch's SKUs, in SKU order, before its first order is applied. Each order
     * locks its own SKUs in SKU order too, but a batch keeps every lock until it commits: without this, a batch
     * holding SKU-2 (its first order's) and wanting SKU-1 (its second's) and another batch doing the opposite
     * deadlock. Seen in the benchmark with two consumers; the database broke the tie by rolling a batch back.
     */
    public void lockForBatch(List<OrderPlaced> orders) {
        new TreeSet<>(orders.stream().flatMap(order -> order.lines().stream()).map(OrderPlaced.Line::sku).toList())
                .forEach(stock::lockAvailable);
    }

    /**
     * Reserves the order's stock, all lines or none; the pipeline runs this inside the dedup transaction (once per order,
     * however often it is delivered), and the row locks below are held until it commits.
     */
    public Outcome reserve(OrderPlaced event) {
        // One entry per SKU, in SKU order: every transaction locks rows in the same order, so two orders
        // for the same products wait for each other instead of deadlocking.
        Map<String, Integer> wanted = new TreeMap<>();
        event.lines().forEach(line -> wanted.merge(line.sku(), line.quantity(), Integer::sum));
        for (Map.Entry<String, Integer> line : wanted.entrySet()) {
            Optional<Integer> available = stock.lockAvailable(line.getKey());
            if (available.isEmpty()) {
                return Outcome.of(REJECTED, "unknown SKU " + line.getKey());
            }
            if (available.get() < line.getValue()) {
                return Outcome.of(REJECTED, "insufficient stock for " + line.getKey() + ": requested " + line.getValue()
                        + ", available " + available.get());
            }
        }
        // Every row is locked and has enough: nobody else can take from them before this commits.
        wanted.forEach((sku, quantity) -> {
            stock.take(sku, quantity);
            stock.reserve(event.orderId(), sku, quantity);
        });
        return Outcome.of(RESERVED, null);
    }
}
