package dev.flashsale.order.checkout;

import java.net.URI;
import java.util.UUID;

import dev.flashsale.order.checkout.CheckoutService.Checkout;
import dev.flashsale.order.checkout.SyncCheckoutService.SyncCheckout;
import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The checkout API. The asynchronous checkout answers 202 as soon as the order is committed, before any worker
 * has run; the synchronous one, kept for comparison, answers 201 once every worker has applied the order.
 */
@RestController
@RequestMapping("/api/orders")
class OrderController {

    static final String IDEMPOTENCY_KEY = "Idempotency-Key";

    /** Set on an answer that repeats an earlier checkout with the same key, instead of placing a new order. */
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";

    private final CheckoutService checkout;
    private final SyncCheckoutService syncCheckout;

    OrderController(CheckoutService checkout, SyncCheckoutService syncCheckout) {
        this.checkout = checkout;
        this.syncCheckout = syncCheckout;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CheckoutResponse> checkout(@Valid @RequestBody CheckoutRequest request,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
        requireWellFormed(idempotencyKey);
        Checkout placed = checkout.place(request, idempotencyKey);
        Order order = placed.order();
        return ResponseEntity.accepted()
                .location(URI.create("/api/orders/" + order.id()))
                .header(IDEMPOTENT_REPLAYED, String.valueOf(placed.replayed()))
                .body(new CheckoutResponse(order.id(), order.status()));
    }

    @PostMapping(path = "/sync", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<SyncCheckoutResponse> checkoutSync(@Valid @RequestBody CheckoutRequest request,
            @RequestHeader(name = IDEMPOTENCY_KEY, required = false) @Nullable String idempotencyKey) {
        requireWellFormed(idempotencyKey);
        SyncCheckout done = syncCheckout.place(request, idempotencyKey);
        Order order = done.order();
        return ResponseEntity.created(URI.create("/api/orders/" + order.id()))
                .header(IDEMPOTENT_REPLAYED, String.valueOf(done.replayed()))
                .body(new SyncCheckoutResponse(order.id(), order.status(), done.steps()));
    }

    @GetMapping(path = "/{orderId}", produces = MediaType.APPLICATION_JSON_VALUE)
    OrderView order(@PathVariable UUID orderId) {
        return checkout.find(orderId).map(OrderView::of).orElseThrow(() -> new OrderNotFoundException(orderId));
    }

    private static void requireWellFormed(@Nullable String idempotencyKey) {
        if (idempotencyKey != null && !isWellFormed(idempotencyKey)) {
            throw IdempotencyKeyException.malformed();
        }
    }

    private static boolean isWellFormed(String key) {
        return !key.isBlank() && key.length() <= IdempotencyKeyException.MAX_LENGTH
                && key.chars().allMatch(c -> c >= 0x20 && c <= 0x7e);
    }
}
