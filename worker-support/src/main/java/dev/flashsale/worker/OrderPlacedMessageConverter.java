package dev.flashsale.worker;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.regex.Pattern;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.OrderPlaced;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

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
 *
 * <p>Events have a reader of their own, whichever way they arrive (a delivery, or the synchronous checkout's call,
 * {@link OrderPlacedController}): tolerant of fields it does not know (a newer producer may add some, see
 * common-events' README), strict about the ones it does: no {@code 1.5} units read as 1, no {@code "2"} as 2, no
 * number as text. The service's HTTP APIs read JSON more strictly still (unknown fields refused).
 */
public class OrderPlacedMessageConverter implements MessageConverter {

    private static final JsonMapper EVENTS = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Amounts travel as strings ("19.98", see OrderPlaced): text into a decimal is the contract. Nothing else is.
            .withCoercionConfig(LogicalType.Textual, text -> text
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .withCoercionConfig(LogicalType.Integer, integer -> integer
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();

    private final JsonMapper json = EVENTS;

    public OrderPlacedMessageConverter() {
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
        return read(message.getBody());
    }

    /** Reads and validates an event's body; an {@link UnreadableEventException} says what is wrong with it. */
    OrderPlaced read(byte[] body) {
        OrderPlaced event;
        try {
            event = json.readValue(body, OrderPlaced.class);
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

    /** The most lines an order has, the most units a line has: the checkout's own limits. */
    static final int MAX_LINES = 100;
    static final int MAX_QUANTITY = 10_000;

    private static final Pattern CUSTOMER_ID = Pattern.compile("\\p{Graph}{1,64}");
    private static final Pattern EMAIL = Pattern.compile("[^\\s@\\p{Cntrl}]{1,64}@[^\\s@\\p{Cntrl}]{1,189}");
    private static final Pattern SKU = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /**
     * What the checkout already guarantees, checked again: a consumer does not trust its input. The event's shape and
     * the checkout's rules for each field (lengths, characters, units, decimals); amounts have no upper bound here,
     * each worker's storage has its own (an order beyond it fails there, and is dead-lettered after its retries).
     */
    static void validate(OrderPlaced event) {
        if (event == null) {
            throw new UnreadableEventException("Empty " + OrderPlaced.TYPE + " body");
        }
        require(event.customer().id() != null && CUSTOMER_ID.matcher(event.customer().id()).matches(), event,
                "customer id is missing, longer than 64 characters, or not printable");
        require(event.customer().email() != null && EMAIL.matcher(event.customer().email()).matches(), event,
                "customer email is missing or invalid");
        require(event.currency().matches("[A-Z]{3}"), event, "currency is not an ISO 4217 code");
        require(!event.lines().isEmpty() && event.lines().size() <= MAX_LINES, event, "the order has no lines, or more than " + MAX_LINES);
        BigDecimal sum = BigDecimal.ZERO;
        for (OrderPlaced.Line line : event.lines()) {
            require(line != null && line.sku() != null && SKU.matcher(line.sku()).matches(), event,
                    "a line has no sku, or one that is not 1 to 64 letters, digits, '.', '_' or '-'");
            require(line.quantity() > 0 && line.quantity() <= MAX_QUANTITY, event,
                    "line " + line.sku() + " has a quantity outside 1 to " + MAX_QUANTITY);
            require(line.unitPrice() != null && line.unitPrice().signum() >= 0 && cents(line.unitPrice()), event,
                    "line " + line.sku() + " has no price, a negative one, or one with more than 2 decimals");
            sum = sum.add(line.amount());
        }
        require(sum.compareTo(event.total()) == 0, event, "the total " + event.total() + " is not the sum of the lines " + sum);
    }

    /** At most two decimals: an amount in cents. */
    private static boolean cents(BigDecimal amount) {
        return amount.stripTrailingZeros().scale() <= 2;
    }

    private static void require(boolean condition, OrderPlaced event, String problem) {
        if (!condition) {
            throw new UnreadableEventException("Invalid " + OrderPlaced.TYPE + " for order "
                    + Objects.toString(event.orderId()) + ": " + problem);
        }
    }
}
