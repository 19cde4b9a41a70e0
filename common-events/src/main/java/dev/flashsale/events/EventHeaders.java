package dev.flashsale.events;

/**
 * Names of the AMQP message headers that every event carries beside its JSON body.
 *
 * <p>The type and version live in headers, not in the body, so that a consumer can decide
 * whether it understands a message before it parses it (and dead-letter it at once if not).
 */
public final class EventHeaders {

    /** The logical event type, e.g. {@value OrderPlaced#TYPE}. */
    public static final String EVENT_TYPE = "event-type";

    /** The schema version of the body, an integer. */
    public static final String EVENT_VERSION = "event-version";

    /** The order the event is about, so that tools can find it without parsing the body. */
    public static final String ORDER_ID = "order-id";

    private EventHeaders() {
    }
}
