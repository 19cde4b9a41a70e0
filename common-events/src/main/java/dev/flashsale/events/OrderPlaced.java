package dev.flashsale.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonValue;

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
        Instant occurredAt,
        @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = OnlyExpress.class) Priority priority) {

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
        // Added to version 1 as an optional field: a body without it is a normal order.
        priority = priority == null ? Priority.NORMAL : priority;
    }

    /** A normal order. */
    public OrderPlaced(UUID eventId, UUID orderId, Customer customer, List<Line> lines, BigDecimal total, String currency,
            Instant occurredAt) {
        this(eventId, orderId, customer, lines, total, currency, occurredAt, Priority.NORMAL);
    }

    /** The same event with another priority. */
    public OrderPlaced withPriority(Priority newPriority) {
        return new OrderPlaced(eventId, orderId, customer, lines, total, currency, occurredAt, newPriority);
    }

    /**
     * How soon the customer expects the order's mail. An express order's event is routed to the email worker twice:
     * through its normal queue, and through a queue of its own that has no backlog ({@link Topology#EMAIL_EXPRESS_QUEUE}).
     */
    public enum Priority {

        NORMAL, EXPRESS;

        /** On the wire: {@code normal}, {@code express}. */
        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        @JsonCreator
        public static Priority fromWire(String name) {
            for (Priority priority : values()) {
                if (priority.wireName().equals(name)) {
                    return priority;
                }
            }
            throw new IllegalArgumentException("Unknown priority '" + name + "': normal or express");
        }
    }

    /**
     * Leaves a normal order's priority out of its JSON (Jackson skips a value this "equals"): the body of a normal
     * order is byte for byte what it was before priorities existed.
     */
    static final class OnlyExpress {

        @Override
        public boolean equals(Object value) {
            return value == Priority.NORMAL;
        }

        @Override
        public int hashCode() {
            return 0;
        }
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
