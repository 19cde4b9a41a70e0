package dev.flashsale.order.checkout;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.order.outbox.Outbox;
import dev.flashsale.order.system.TimeOrderedIds;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Places orders: the order and its {@link OrderPlaced} event are committed in one local transaction (the
 * transactional outbox, written by the {@link OrderWriter} in groups), so an order is never stored without its
 * event nor published without being stored. Publishing happens after the commit, off the request thread.
 */
@Service
class CheckoutService {

    private static final Logger log = LoggerFactory.getLogger(CheckoutService.class);

    private final OrderRepository orders;
    private final OrderWriter writer;
    private final Outbox outbox;
    private final TransactionTemplate transaction;
    private final JsonMapper json;

    CheckoutService(OrderRepository orders, OrderWriter writer, Outbox outbox, TransactionTemplate transaction, JsonMapper json) {
        this.orders = orders;
        this.writer = writer;
        this.outbox = outbox;
        this.transaction = transaction;
        this.json = json;
    }

    /** Which checkout places the order. */
    private enum Mode {
        ASYNC, SYNC
    }

    /** The result of a checkout: the order, and whether it was placed by an earlier request with the same key. */
    record Checkout(Order order, boolean replayed) {
    }

    /** The asynchronous checkout: commits the order and its outbox row; the event is published after the commit. */
    Checkout place(CheckoutRequest request, @Nullable String idempotencyKey) {
        return place(request, idempotencyKey, Mode.ASYNC);
    }

    /** The synchronous checkout's first step: commits the order alone, {@link OrderStatus#PROCESSING}; no event. */
    Checkout placeForSync(CheckoutRequest request, @Nullable String idempotencyKey) {
        return place(request, idempotencyKey, Mode.SYNC);
    }

    Optional<Order> find(UUID orderId) {
        return orders.find(orderId);
    }

    /** Records where a synchronous checkout has got to. */
    void updateStatus(Order order, OrderStatus status) {
        transaction.executeWithoutResult(tx -> orders.updateStatus(order.id(), status));
    }

    private Checkout place(CheckoutRequest request, @Nullable String idempotencyKey, Mode mode) {
        // The mode is part of the hash: a key first used on one checkout and then on the other is a different request.
        String requestHash = sha256(mode + " " + json.writeValueAsString(request));
        if (idempotencyKey != null) {
            Optional<Order> earlier = orders.findByIdempotencyKey(idempotencyKey);
            if (earlier.isPresent()) {
                return replay(earlier.get(), requestHash);
            }
        }
        Order order = Order.accept(TimeOrderedIds.next(), request.customer().id(), request.customer().email(), request.currency(),
                request.lines().stream().map(line -> new OrderLine(line.sku(), line.quantity(), line.unitPrice())).toList(),
                mode == Mode.ASYNC ? OrderStatus.ACCEPTED : OrderStatus.PROCESSING, idempotencyKey, requestHash, Instant.now(),
                request.priorityOrNormal());
        OrderPlaced event = orderPlaced(order);
        try {
            writer.write(order, mode == Mode.ASYNC
                    ? outbox.entry(event.eventId(), order.id(), OrderPlaced.TYPE, OrderPlaced.VERSION,
                            Topology.routingKey(event.priority()), event)
                    : null);
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
        log.debug("Order {} accepted ({})", order.id(), mode);
        return new Checkout(order, false);
    }

    /** The event of an order: what the outbox publishes, and what the synchronous checkout sends each worker. */
    static OrderPlaced orderPlaced(Order order) {
        return new OrderPlaced(
                TimeOrderedIds.next(),
                order.id(),
                new OrderPlaced.Customer(order.customerId(), order.customerEmail()),
                order.lines().stream().map(line -> new OrderPlaced.Line(line.sku(), line.quantity(), line.unitPrice())).toList(),
                order.total(),
                order.currency(),
                order.createdAt(),
                order.priority());
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
