package dev.flashsale.worker;

import org.springframework.amqp.support.converter.MessageConversionException;

/**
 * A message that no number of retries can make processable: malformed JSON, an unknown event type or
 * version, or an event that fails validation. It is dead-lettered at the first failure.
 */
public class UnreadableEventException extends MessageConversionException {

    public UnreadableEventException(String message) {
        super(message);
    }

    public UnreadableEventException(String message, Throwable cause) {
        super(message, cause);
    }
}
