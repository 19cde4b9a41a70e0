package dev.flashsale.modulith;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import org.jspecify.annotations.Nullable;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Places an order the way Spring Modulith's documentation shows: the order is written and its event published in one
 * transaction; the event publication registry stores a publication per listener in that same transaction, and the
 * listener ({@link OrderPlacedPublisher}) runs after the commit. One transaction per checkout: no group commit.
 */
@Service
class Orders {

    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;

    Orders(JdbcClient jdbc, TransactionTemplate transaction, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.events = events;
    }

    /** The id of the order placed, or of the one placed earlier with the same key. */
    UUID place(CheckoutRequest request, @Nullable String idempotencyKey) {
        if (idempotencyKey != null) {
            Optional<UUID> earlier = withKey(idempotencyKey);
            if (earlier.isPresent()) {
                return earlier.get();
            }
        }
        OrderPlaced event = orderPlaced(request);
        try {
            transaction.executeWithoutResult(status -> {
                insert(event, idempotencyKey);
                events.publishEvent(event);
            });
        }
        catch (DataIntegrityViolationException ex) {
            // Two requests with the same key raced past the look-up: the unique key let one commit.
            if (idempotencyKey == null) {
                throw ex;
            }
            return withKey(idempotencyKey).orElseThrow(() -> ex);
        }
        return event.orderId();
    }

    private Optional<UUID> withKey(String idempotencyKey) {
        return jdbc.sql("select id from orders where idempotency_key = ?").param(idempotencyKey).query(UUID.class).optional();
    }

    private void insert(OrderPlaced order, @Nullable String idempotencyKey) {
        jdbc.sql("""
                insert into orders (id, customer_id, customer_email, currency, total, status, idempotency_key, created_at)
                values (?, ?, ?, ?, ?, 'ACCEPTED', ?, ?)""")
                .params(order.orderId(), order.customer().id(), order.customer().email(), order.currency(), order.total(),
                        idempotencyKey, order.occurredAt())
                .update();
        List<OrderPlaced.Line> lines = order.lines();
        for (int i = 0; i < lines.size(); i++) {
            OrderPlaced.Line line = lines.get(i);
            jdbc.sql("insert into order_lines (order_id, line_no, sku, quantity, unit_price) values (?, ?, ?, ?, ?)")
                    .params(order.orderId(), i, line.sku(), line.quantity(), line.unitPrice())
                    .update();
        }
    }

    private static OrderPlaced orderPlaced(CheckoutRequest request) {
        List<OrderPlaced.Line> lines = request.lines().stream()
                .map(line -> new OrderPlaced.Line(line.sku(), line.quantity(), line.unitPrice())).toList();
        BigDecimal total = lines.stream().map(OrderPlaced.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(),
                new OrderPlaced.Customer(request.customer().id(), request.customer().email()), lines, total,
                request.currency(), Instant.now());
    }
}
