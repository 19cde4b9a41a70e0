package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;

/** An order as {@code GET /api/orders/{orderId}} shows it. */
record OrderView(
        UUID orderId,
        OrderStatus status,
        Customer customer,
        List<Line> lines,
        BigDecimal total,
        String currency,
        Instant createdAt,
        OrderPlaced.Priority priority) {

    record Customer(String id, String email) {
    }

    record Line(String sku, int quantity, BigDecimal unitPrice) {
    }

    static OrderView of(Order order) {
        return new OrderView(
                order.id(),
                order.status(),
                new Customer(order.customerId(), order.customerEmail()),
                order.lines().stream().map(line -> new Line(line.sku(), line.quantity(), line.unitPrice())).toList(),
                order.total(),
                order.currency(),
                order.createdAt(),
                order.priority());
    }
}
