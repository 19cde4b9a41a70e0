package dev.flashsale.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

import static org.assertj.core.api.Assertions.assertThat;

class EventMessagesTests {

    @Test
    void anEventsMessageCarriesItsTypeVersionAndOrderInHeadersAndIsAPersistentJsonMessage() {
        UUID eventId = UUID.randomUUID();
        UUID orderId = UUID.randomUUID();
        Instant occurredAt = Instant.parse("2026-03-01T10:15:30.123Z");
        byte[] body = "{\"orderId\":\"x\"}".getBytes(StandardCharsets.UTF_8);

        Message message = new EventMessages("order-service").message(eventId, orderId, OrderPlaced.TYPE, OrderPlaced.VERSION,
                occurredAt, body);

        MessageProperties properties = message.getMessageProperties();
        assertThat(message.getBody()).isEqualTo(body);
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getContentEncoding()).isEqualTo("UTF-8");
        assertThat(properties.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(properties.getMessageId()).isEqualTo(eventId.toString());
        assertThat(properties.getTimestamp().toInstant()).isEqualTo(occurredAt);
        assertThat(properties.getAppId()).isEqualTo("order-service");
        assertThat(properties.<String>getHeader(EventHeaders.EVENT_TYPE)).isEqualTo("order.placed");
        assertThat(properties.<Integer>getHeader(EventHeaders.EVENT_VERSION)).isEqualTo(OrderPlaced.VERSION);
        assertThat(properties.<String>getHeader(EventHeaders.ORDER_ID)).isEqualTo(orderId.toString());
    }
}
