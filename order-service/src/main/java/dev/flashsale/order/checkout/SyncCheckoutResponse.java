package dev.flashsale.order.checkout;

import java.util.List;
import java.util.UUID;

import dev.flashsale.order.downstream.WorkerClient.Step;

/** What the synchronous checkout answers: the order, done, and what each worker did and how long it took. */
record SyncCheckoutResponse(UUID orderId, OrderStatus status, List<Step> steps) {
}
