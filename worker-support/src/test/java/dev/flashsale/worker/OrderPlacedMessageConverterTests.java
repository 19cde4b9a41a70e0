package dev.flashsale.worker;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OrderPlacedMessageConverterTests {

    private final OrderPlacedMessageConverter converter = new OrderPlacedMessageConverter();

    @Test
    void writesThePersistentJsonMessageWithItsHeaders() {
        OrderPlaced event = orderPlaced();

        Message message = converter.toMessage(event, new MessageProperties());

        MessageProperties properties = message.getMessageProperties();
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(properties.getMessageId()).isEqualTo(event.eventId().toString());
        assertThat(properties.<String>getHeader(EventHeaders.EVENT_TYPE)).isEqualTo("order.placed");
        assertThat(properties.<Integer>getHeader(EventHeaders.EVENT_VERSION)).isEqualTo(1);
        assertThat(properties.<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(event.orderId().toString());
    }

    @Test
    void readsWhatItWrites() {
        OrderPlaced event = orderPlaced();

        assertThat(converter.fromMessage(converter.toMessage(event, new MessageProperties()))).isEqualTo(event);
    }

    @Test
    void readsAVersionHeaderSentAsAString() {
        Message message = converter.toMessage(orderPlaced(), new MessageProperties());
        message.getMessageProperties().setHeader(EventHeaders.EVENT_VERSION, "1");

        assertThat(converter.fromMessage(message)).isNotNull();
    }

    @Test
    void ignoresUnknownFields() {
        Message message = converter.toMessage(orderPlaced(), new MessageProperties());
        String body = new String(message.getBody(), StandardCharsets.UTF_8).replaceFirst("\\{", "{\"couponCode\":\"X\",");

        assertThat(converter.fromMessage(new Message(body.getBytes(StandardCharsets.UTF_8), message.getMessageProperties())))
                .isEqualTo(converter.fromMessage(message));
    }

    @Test
    void refusesAnotherEventType() {
        Message message = converter.toMessage(orderPlaced(), new MessageProperties());
        message.getMessageProperties().setHeader(EventHeaders.EVENT_TYPE, "order.cancelled");

        assertThatThrownBy(() -> converter.fromMessage(message)).isInstanceOf(UnreadableEventException.class)
                .hasMessageContaining("Unknown event type order.cancelled");
    }

    @Test
    void refusesAMissingOrUnknownVersion() {
        Message message = converter.toMessage(orderPlaced(), new MessageProperties());
        message.getMessageProperties().getHeaders().remove(EventHeaders.EVENT_VERSION);

        assertThatThrownBy(() -> converter.fromMessage(message)).isInstanceOf(UnreadableEventException.class);
        message.getMessageProperties().setHeader(EventHeaders.EVENT_VERSION, 2);
        assertThatThrownBy(() -> converter.fromMessage(message)).isInstanceOf(UnreadableEventException.class)
                .hasMessageContaining("version 2");
    }

    @Test
    void refusesABodyWithoutARequiredField() {
        Message message = converter.toMessage(orderPlaced(), new MessageProperties());
        String body = new String(message.getBody(), StandardCharsets.UTF_8).replaceFirst("\"orderId\":\"[^\"]+\",", "");

        assertThatThrownBy(() -> converter.fromMessage(new Message(body.getBytes(StandardCharsets.UTF_8), message.getMessageProperties())))
                .isInstanceOf(UnreadableEventException.class).hasMessageStartingWith("Malformed");
    }

    @Test
    void refusesAnOrderThatFailsValidation() {
        OrderPlaced noLines = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-1", "ada@example.com"),
                List.of(), BigDecimal.ZERO, "EUR", Instant.now());
        OrderPlaced zeroQuantity = new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-1", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 0, BigDecimal.ONE)), BigDecimal.ZERO, "EUR", Instant.now());

        assertThatThrownBy(() -> converter.fromMessage(converter.toMessage(noLines, new MessageProperties())))
                .isInstanceOf(UnreadableEventException.class).hasMessageContaining("no lines");
        assertThatThrownBy(() -> converter.fromMessage(converter.toMessage(zeroQuantity, new MessageProperties())))
                .isInstanceOf(UnreadableEventException.class).hasMessageContaining("quantity outside 1 to 10000");
    }

    @Test
    void refusesWhatTheCheckoutWouldHaveRefused() {
        OrderPlaced.Customer customer = new OrderPlaced.Customer("c-1", "ada@example.com");
        OrderPlaced.Line line = new OrderPlaced.Line("SKU-1", 1, new BigDecimal("9.99"));
        List<Map.Entry<String, OrderPlaced>> invalid = List.of(
                Map.entry("customer id", order(new OrderPlaced.Customer("c".repeat(65), "ada@example.com"), List.of(line))),
                Map.entry("customer id", order(new OrderPlaced.Customer("c 1", "ada@example.com"), List.of(line))),
                Map.entry("customer email", order(new OrderPlaced.Customer("c-1", "ada@example.com\u0000"), List.of(line))),
                Map.entry("sku", order(customer, List.of(new OrderPlaced.Line("SKU 1", 1, new BigDecimal("9.99"))))),
                Map.entry("quantity outside", order(customer, List.of(new OrderPlaced.Line("SKU-1", 10_001, new BigDecimal("9.99"))))),
                Map.entry("more than 2 decimals", order(customer, List.of(new OrderPlaced.Line("SKU-1", 1, new BigDecimal("9.999"))))),
                Map.entry("more than 100", order(customer, Collections.nCopies(101, line))));

        invalid.forEach(entry -> assertThatThrownBy(() -> converter.fromMessage(converter.toMessage(entry.getValue(), new MessageProperties())))
                .as(entry.getKey()).isInstanceOf(UnreadableEventException.class).hasMessageContaining(entry.getKey()));
    }

    private static OrderPlaced order(OrderPlaced.Customer customer, List<OrderPlaced.Line> lines) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), customer, lines,
                lines.stream().map(OrderPlaced.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add), "EUR", Instant.now());
    }

    private static OrderPlaced orderPlaced() {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99")), new OrderPlaced.Line("SKU-2", 1, new BigDecimal("5.00"))),
                new BigDecimal("24.98"), "EUR", Instant.parse("2026-11-23T10:15:30.123Z"));
    }
}
