package dev.flashsale.worker;

import java.math.BigDecimal;
import java.util.Objects;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.support.converter.MessageConverter;

/**
 * Reads and writes {@link OrderPlaced} version 1 messages, and refuses everything else.
 *
 * <p>It checks the {@code event-type} and {@code event-version} headers before it parses the body, then
 * validates what it parsed. Whatever it refuses is an {@link UnreadableEventException}, which the retry
 * advice dead-letters at once: no retry can turn a malformed or unknown message into a good one.
 */
public class OrderPlacedMessageConverter implements MessageConverter {

    private final JsonMapper json;

    public OrderPlacedMessageConverter(JsonMapper json) {
        this.json = json;
    }

    @Override
    public Message toMessage(Object object, MessageProperties properties) {
        if (!(object instanceof OrderPlaced event)) {
            throw new IllegalArgumentException("Only OrderPlaced is written here, not " + object.getClass().getName());
        }
        properties.setContentType(MessageProperties.CONTENT_TYPE_JSON);
        properties.setContentEncoding("UTF-8");
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setMessageId(event.eventId().toString());
        properties.setHeader(EventHeaders.EVENT_TYPE, OrderPlaced.TYPE);
        properties.setHeader(EventHeaders.EVENT_VERSION, OrderPlaced.VERSION);
        properties.setHeader(EventHeaders.ORDER_ID, event.orderId().toString());
        return new Message(json.writeValueAsBytes(event), properties);
    }

    @Override
    public OrderPlaced fromMessage(Message message) {
        MessageProperties properties = message.getMessageProperties();
        Object type = properties.getHeader(EventHeaders.EVENT_TYPE);
        if (!OrderPlaced.TYPE.equals(type)) {
            throw new UnreadableEventException("Unknown event type " + type + ", expected " + OrderPlaced.TYPE);
        }
        Integer version = version(properties.getHeader(EventHeaders.EVENT_VERSION));
        if (version == null || version != OrderPlaced.VERSION) {
            throw new UnreadableEventException("Unknown " + OrderPlaced.TYPE + " version "
                    + properties.getHeader(EventHeaders.EVENT_VERSION) + ", this worker reads version " + OrderPlaced.VERSION);
        }
        OrderPlaced event;
        try {
            event = json.readValue(message.getBody(), OrderPlaced.class);
        }
        catch (JacksonException ex) {
            throw new UnreadableEventException("Malformed " + OrderPlaced.TYPE + " body: " + ex.getOriginalMessage(), ex);
        }
        validate(event);
        return event;
    }

    private static Integer version(Object header) {
        if (header instanceof Number number) {
            return number.intValue();
        }
        if (header instanceof String text) {
            try {
                return Integer.valueOf(text.trim());
            }
            catch (NumberFormatException ex) {
                return null;
            }
        }
        return null;
    }

    /** What the checkout already guarantees, checked again: a consumer does not trust its input. */
    static void validate(OrderPlaced event) {
        if (event == null) {
            throw new UnreadableEventException("Empty " + OrderPlaced.TYPE + " body");
        }
        require(event.customer().email() != null && event.customer().email().contains("@"), event, "customer email is missing or invalid");
        require(event.currency().matches("[A-Z]{3}"), event, "currency is not an ISO 4217 code");
        require(!event.lines().isEmpty(), event, "the order has no lines");
        BigDecimal sum = BigDecimal.ZERO;
        for (OrderPlaced.Line line : event.lines()) {
            require(line != null && line.sku() != null && !line.sku().isBlank(), event, "a line has no sku");
            require(line.quantity() > 0, event, "line " + line.sku() + " has a quantity below 1");
            require(line.unitPrice() != null && line.unitPrice().signum() >= 0, event, "line " + line.sku() + " has no or a negative price");
            sum = sum.add(line.amount());
        }
        require(sum.compareTo(event.total()) == 0, event, "the total " + event.total() + " is not the sum of the lines " + sum);
    }

    private static void require(boolean condition, OrderPlaced event, String problem) {
        if (!condition) {
            throw new UnreadableEventException("Invalid " + OrderPlaced.TYPE + " for order "
                    + Objects.toString(event.orderId()) + ": " + problem);
        }
    }
}
