package dev.flashsale.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Pins the JSON shape of {@link OrderPlaced} version 1: a change here breaks every consumer. */
class OrderPlacedTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void serializesToTheVersionOneShape() {
        JsonNode node = json.readTree(json.writeValueAsString(orderPlaced()));

        assertThat(node.propertyNames()).containsExactlyInAnyOrder(
                "eventId", "orderId", "customer", "lines", "total", "currency", "occurredAt");
        assertThat(node.get("eventId").asString()).isEqualTo("0b7f8f2e-3c1a-4a57-9e52-8b1d2c3e4f50");
        assertThat(node.get("orderId").asString()).isEqualTo("5f0c6a1e-9d2b-4c3e-8f4a-1b2c3d4e5f60");
        assertThat(node.get("customer").get("id").asString()).isEqualTo("c-42");
        assertThat(node.get("customer").get("email").asString()).isEqualTo("ada@example.com");
        assertThat(node.get("lines").get(0).get("sku").asString()).isEqualTo("SKU-1");
        assertThat(node.get("lines").get(0).get("quantity").isInt()).isTrue();
        assertThat(node.get("lines").get(0).get("unitPrice").isString()).isTrue();
        assertThat(node.get("lines").get(0).get("unitPrice").asString()).isEqualTo("9.99");
        assertThat(node.get("total").isString()).isTrue();
        assertThat(node.get("total").asString()).isEqualTo("19.98");
        assertThat(node.get("currency").asString()).isEqualTo("EUR");
        assertThat(node.get("occurredAt").asString()).isEqualTo("2026-11-23T10:15:30.123Z");
    }

    @Test
    void readsWhatItWrites() {
        OrderPlaced event = orderPlaced();

        OrderPlaced read = json.readValue(json.writeValueAsString(event), OrderPlaced.class);

        assertThat(read).isEqualTo(event);
    }

    @Test
    void readsAPinnedVersionOneDocument() {
        String v1 = """
                {"eventId":"0b7f8f2e-3c1a-4a57-9e52-8b1d2c3e4f50",
                 "orderId":"5f0c6a1e-9d2b-4c3e-8f4a-1b2c3d4e5f60",
                 "customer":{"id":"c-42","email":"ada@example.com"},
                 "lines":[{"sku":"SKU-1","quantity":2,"unitPrice":"9.99"}],
                 "total":"19.98","currency":"EUR","occurredAt":"2026-11-23T10:15:30.123Z"}
                """;

        assertThat(json.readValue(v1, OrderPlaced.class)).isEqualTo(orderPlaced());
    }

    @Test
    void anExpressOrderCarriesItsPriorityAndANormalOneIsWrittenAsBefore() {
        OrderPlaced normal = orderPlaced();
        OrderPlaced express = normal.withPriority(OrderPlaced.Priority.EXPRESS);

        JsonNode node = json.readTree(json.writeValueAsString(express));

        assertThat(node.get("priority").asString()).isEqualTo("express");
        assertThat(json.readValue(json.writeValueAsString(express), OrderPlaced.class)).isEqualTo(express);
        assertThat(json.readTree(json.writeValueAsString(normal)).has("priority")).isFalse();
        assertThat(normal.priority()).isEqualTo(OrderPlaced.Priority.NORMAL);
    }

    @Test
    void anUnknownPriorityIsNotReadAsANormalOrder() {
        String body = json.writeValueAsString(orderPlaced()).replace("}]", "}],\"priority\":\"urgent\"");

        assertThatThrownBy(() -> json.readValue(body, OrderPlaced.class)).hasMessageContaining("urgent");
    }

    @Test
    void anExpressOrderIsRoutedWithAKeyOfItsOwn() {
        assertThat(Topology.routingKey(OrderPlaced.Priority.NORMAL)).isEqualTo("order.placed");
        assertThat(Topology.routingKey(OrderPlaced.Priority.EXPRESS)).isEqualTo("order.placed.express");
        assertThat(Topology.expressQueue(Topology.EMAIL_QUEUE)).contains(Topology.EMAIL_EXPRESS_QUEUE);
        assertThat(Topology.expressQueue(Topology.INVENTORY_QUEUE)).isEmpty();
    }

    @Test
    void aLineAmountIsQuantityTimesUnitPrice() {
        assertThat(new OrderPlaced.Line("SKU-1", 3, new BigDecimal("0.10")).amount())
                .isEqualByComparingTo("0.30");
    }

    static OrderPlaced orderPlaced() {
        return new OrderPlaced(
                UUID.fromString("0b7f8f2e-3c1a-4a57-9e52-8b1d2c3e4f50"),
                UUID.fromString("5f0c6a1e-9d2b-4c3e-8f4a-1b2c3d4e5f60"),
                new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))),
                new BigDecimal("19.98"),
                "EUR",
                Instant.parse("2026-11-23T10:15:30.123Z"));
    }
}
