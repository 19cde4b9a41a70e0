package dev.flashsale.order.checkout;

import java.util.ArrayList;
import java.util.List;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.order.checkout.CheckoutService.Checkout;
import dev.flashsale.order.downstream.DownstreamException;
import dev.flashsale.order.downstream.WorkerClient;
import dev.flashsale.order.downstream.WorkerClient.Step;
import dev.flashsale.order.downstream.WorkerCallChain;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The synchronous checkout, kept for comparison: it commits the order, then calls every worker over HTTP, one
 * after the other, and answers only when all are done. It does exactly the work the asynchronous checkout hands
 * to the broker, at the same simulated cost, so its answer takes the sum of all of it (about 1.15 s), and it
 * fails as soon as one worker is down, possibly after the ones before it have applied the order.
 *
 * <p>Each worker call is idempotent (by order id, as the queue listeners are), so a client that retries a
 * failed checkout with the same {@code Idempotency-Key} finishes the order without applying anything twice.
 */
@Service
class SyncCheckoutService {

    private static final Logger log = LoggerFactory.getLogger(SyncCheckoutService.class);

    private final CheckoutService checkout;
    private final WorkerCallChain workers;

    SyncCheckoutService(CheckoutService checkout, WorkerCallChain workers) {
        this.checkout = checkout;
        this.workers = workers;
    }

    /**
     * The result of a synchronous checkout.
     *
     * @param order the order
     * @param steps the worker calls this request made, in order (none for a replay of a completed order)
     * @param replayed whether the order was placed by an earlier request with the same key
     */
    record SyncCheckout(Order order, List<Step> steps, boolean replayed) {
    }

    SyncCheckout place(CheckoutRequest request, @Nullable String idempotencyKey) {
        Checkout placed = checkout.placeForSync(request, idempotencyKey);
        Order order = placed.order();
        if (order.status() == OrderStatus.COMPLETED) {
            return new SyncCheckout(order, List.of(), true);
        }
        OrderPlaced event = CheckoutService.orderPlaced(order);
        List<Step> steps = new ArrayList<>();
        for (WorkerClient worker : workers.inOrder()) {
            try {
                steps.add(worker.apply(event));
            }
            catch (DownstreamException ex) {
                checkout.updateStatus(order, OrderStatus.FAILED);
                log.warn("Synchronous checkout of order {} failed at {}: {}", order.id(), worker.name(), ex.getMessage());
                throw new SyncCheckoutFailedException(order.id(), ex, steps);
            }
        }
        checkout.updateStatus(order, OrderStatus.COMPLETED);
        return new SyncCheckout(order.withStatus(OrderStatus.COMPLETED), steps, placed.replayed());
    }
}
