package dev.flashsale.modulith;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import org.jspecify.annotations.Nullable;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** The asynchronous checkout, answered as the order-service answers it: 202 with the order's id, once committed. */
@RestController
class CheckoutController {

    private final Orders orders;

    CheckoutController(Orders orders) {
        this.orders = orders;
    }

    record CheckoutResponse(UUID orderId, String status) {
    }

    @PostMapping(path = "/api/orders", consumes = MediaType.APPLICATION_JSON_VALUE, produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<CheckoutResponse> checkout(@Valid @RequestBody CheckoutRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) @Nullable String idempotencyKey) {
        UUID orderId = orders.place(request, idempotencyKey);
        return ResponseEntity.accepted().location(URI.create("/api/orders/" + orderId))
                .body(new CheckoutResponse(orderId, "ACCEPTED"));
    }
}
