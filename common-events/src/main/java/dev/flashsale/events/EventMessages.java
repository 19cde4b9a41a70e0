package dev.flashsale.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageBuilder;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

/**
 * The AMQP message of an event, built in one place: what a consumer reads beside the body ({@link EventHeaders}) and
 * what the broker and the tools read (a persistent JSON message whose message id is the event id, stamped with when the
 * event happened and who published it). Every publisher of events builds its messages here, so that they cannot drift
 * apart: the outbox's, and the poison messages of the demos, which must look like events to be taken for them.
 */
public final class EventMessages {

    private final String producer;

    /** @param producer the publishing service, as the message's {@code app-id} */
    public EventMessages(String producer) {
        this.producer = producer;
    }

    /**
     * The message of one event.
     *
     * @param eventId the event's id, the message id (what a consumer deduplicates a redelivery by is the order id)
     * @param orderId the order the event is about, in the {@code order-id} header
     * @param type the logical event type, e.g. {@value OrderPlaced#TYPE}
     * @param version the schema version of the body
     * @param occurredAt when the event happened, the message's timestamp
     * @param json the body, JSON in UTF-8
     */
    public Message message(UUID eventId, UUID orderId, String type, int version, Instant occurredAt, byte[] json) {
        return MessageBuilder.withBody(json)
                .setContentType(MessageProperties.CONTENT_TYPE_JSON)
                .setContentEncoding(StandardCharsets.UTF_8.name())
                .setDeliveryMode(MessageDeliveryMode.PERSISTENT)
                .setMessageId(eventId.toString())
                .setTimestamp(Date.from(occurredAt))
                .setAppId(producer)
                .setHeader(EventHeaders.EVENT_TYPE, type)
                .setHeader(EventHeaders.EVENT_VERSION, version)
                .setHeader(EventHeaders.ORDER_ID, orderId.toString())
                .build();
    }
}
