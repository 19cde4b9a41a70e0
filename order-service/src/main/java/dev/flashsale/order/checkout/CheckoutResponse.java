package dev.flashsale.order.checkout;

import java.util.UUID;

/** What the checkout answers: the order's id, to follow it, and where it stands. */
record CheckoutResponse(UUID orderId, OrderStatus status) {
}
