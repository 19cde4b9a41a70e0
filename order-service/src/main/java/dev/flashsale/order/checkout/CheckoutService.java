package dev.flashsale.order.checkout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.order.outbox.Outbox;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Places orders: the order and its {@link OrderPlaced} event are committed in one local
 * transaction (the transactional outbox), so an order is never stored without its event nor
 * published without being stored. Publishing happens after the commit, off the request thread.
 */
@Service
class CheckoutService {

    private static final Logger log = LoggerFactory.getLogger(CheckoutService.class);

    private final OrderRepository orders;
    private final Outbox outbox;
    private final TransactionTemplate transaction;
    private final JsonMapper json;

    CheckoutService(OrderRepository orders, Outbox outbox, TransactionTemplate transaction, JsonMapper json) {
        this.orders = orders;
        this.outbox = outbox;
        this.transaction = transaction;
        this.json = json;
    }

    /** The result of a checkout: the order, and whether it was placed by an earlier request with the same key. */
    record Checkout(Order order, boolean replayed) {
    }

    Checkout place(CheckoutRequest request, @Nullable String idempotencyKey) {
        String requestHash = sha256(json.writeValueAsString(request));
        if (idempotencyKey != null) {
            Optional<Order> earlier = orders.findByIdempotencyKey(idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), requestHash);
            }
        }
        try {
            return new Checkout(transaction.execute(status -> placeNew(request, idempotencyKey, requestHash)), false);
        }
        catch (DataIntegrityViolationException ex) {
            // Two requests with the same key raced past the lookup above; the unique index on
            // the key let exactly one of them commit. This one answers with that order.
            if (idempotencyKey == null) {
                throw ex;
            }
            return orders.findByIdempotencyKey(idempotencyKey)
                    .map(winner -> replay(winner, requestHash))
                    .orElseThrow(() -> ex);
        }
    }

    Optional<Order> find(UUID orderId) {
        return orders.findById(orderId);
    }

    private Order placeNew(CheckoutRequest request, @Nullable String idempotencyKey, String requestHash) {
        Order order = orders.saveAndFlush(new Order(
                UUID.randomUUID(),
                request.customer().id(),
                request.customer().email(),
                request.currency(),
                request.lines().stream().map(line -> new OrderLine(line.sku(), line.quantity(), line.unitPrice())).toList(),
                idempotencyKey,
                requestHash,
                Instant.now()));
        OrderPlaced event = orderPlaced(order);
        outbox.append(OrderPlaced.TYPE, OrderPlaced.VERSION, event.eventId(), order.getId(), event);
        log.debug("Order {} accepted with event {}", order.getId(), event.eventId());
        return order;
    }

    private static OrderPlaced orderPlaced(Order order) {
        return new OrderPlaced(
                UUID.randomUUID(),
                order.getId(),
                new OrderPlaced.Customer(order.customerId(), order.customerEmail()),
                order.lines().stream().map(line -> new OrderPlaced.Line(line.sku(), line.quantity(), line.unitPrice())).toList(),
                order.total(),
                order.currency(),
                order.createdAt());
    }

    private static Checkout replay(Order earlier, String requestHash) {
        if (!earlier.requestHash().equals(requestHash)) {
            throw IdempotencyKeyException.reused();
        }
        return new Checkout(earlier, true);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException("Every JVM has SHA-256", ex);
        }
    }
}
