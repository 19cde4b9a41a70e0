package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import org.jspecify.annotations.Nullable;

/**
 * An order as the checkout accepted it: who, what, and the total the service computed.
 *
 * @param id the order id, time-ordered
 * @param customerId the customer's id
 * @param customerEmail where the confirmation goes
 * @param currency an ISO 4217 code
 * @param lines what was ordered, in the client's order
 * @param total the sum of the lines, computed here
 * @param status where the order is (see {@link OrderStatus}; {@code PUBLISHED} is read from the outbox)
 * @param idempotencyKey the client's key, if it sent one
 * @param requestHash SHA-256 of the request, to tell a retry of the same checkout from a different one under the same key
 * @param createdAt when the checkout accepted it
 * @param priority normal, or express (its mail is sent ahead of a backlog)
 */
record Order(
        UUID id,
        String customerId,
        String customerEmail,
        String currency,
        List<OrderLine> lines,
        BigDecimal total,
        OrderStatus status,
        @Nullable String idempotencyKey,
        String requestHash,
        Instant createdAt,
        OrderPlaced.Priority priority) {

    Order {
        lines = List.copyOf(lines);
    }

    /** A new order; its total is the sum of its lines. */
    static Order accept(UUID id, String customerId, String customerEmail, String currency, List<OrderLine> lines,
            OrderStatus status, @Nullable String idempotencyKey, String requestHash, Instant createdAt,
            OrderPlaced.Priority priority) {
        BigDecimal total = lines.stream().map(OrderLine::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new Order(id, customerId, customerEmail, currency, lines, total, status, idempotencyKey, requestHash, createdAt,
                priority);
    }

    Order withStatus(OrderStatus newStatus) {
        return new Order(id, customerId, customerEmail, currency, lines, total, newStatus, idempotencyKey, requestHash, createdAt,
                priority);
    }
}
