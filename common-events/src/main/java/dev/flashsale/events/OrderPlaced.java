package dev.flashsale.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonFormat;

/**
 * An order was accepted by the checkout and committed; every worker reacts to it once.
 *
 * <p>On the wire this is JSON, with the logical type {@value #TYPE} and the schema version
 * {@value #VERSION} in the {@link EventHeaders} of the message. Amounts travel as JSON strings
 * ({@code "19.98"}) so that no consumer, in any language, reads them through a binary float.
 * How versions evolve is written down in {@code common-events/README.md}.
 */
public record OrderPlaced(
        UUID eventId,
        UUID orderId,
        Customer customer,
        List<Line> lines,
        @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal total,
        String currency,
        Instant occurredAt) {

    /** The logical event type on the wire; never a Java class name. */
    public static final String TYPE = "order.placed";

    /** The schema version this record reads and writes. */
    public static final int VERSION = 1;

    public OrderPlaced {
        Objects.requireNonNull(eventId, "eventId");
        Objects.requireNonNull(orderId, "orderId");
        Objects.requireNonNull(customer, "customer");
        Objects.requireNonNull(total, "total");
        Objects.requireNonNull(currency, "currency");
        Objects.requireNonNull(occurredAt, "occurredAt");
        lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
    }

    /** Who placed the order. */
    public record Customer(String id, String email) {
    }

    /** One product line of the order. */
    public record Line(
            String sku,
            int quantity,
            @JsonFormat(shape = JsonFormat.Shape.STRING) BigDecimal unitPrice) {

        /** Quantity times unit price. */
        public BigDecimal amount() {
            return unitPrice.multiply(BigDecimal.valueOf(quantity));
        }
    }
}
