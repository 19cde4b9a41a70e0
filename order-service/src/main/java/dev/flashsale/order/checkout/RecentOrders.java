package dev.flashsale.order.checkout;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.springframework.stereotype.Component;

/** The latest orders and where each stands, for views outside the checkout (the dashboard): a read, never a write. */
@Component
public class RecentOrders {

    private final OrderRepository orders;

    RecentOrders(OrderRepository orders) {
        this.orders = orders;
    }

    /**
     * An order in a list.
     *
     * @param orderId the order
     * @param status where it stands ({@code PUBLISHED} once the broker confirmed its event)
     * @param total what it costs
     * @param currency an ISO 4217 code
     * @param createdAt when the checkout accepted it
     */
    public record RecentOrder(UUID orderId, OrderStatus status, BigDecimal total, String currency, Instant createdAt) {
    }

    /** At most {@code limit} orders, the newest first. */
    public List<RecentOrder> latest(int limit) {
        return orders.latest(limit).stream()
                .map(order -> new RecentOrder(order.id(), order.status(), order.total(), order.currency(), order.createdAt()))
                .toList();
    }
}
