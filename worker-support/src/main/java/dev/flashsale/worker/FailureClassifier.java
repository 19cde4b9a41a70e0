package dev.flashsale.worker;

import java.util.List;

import org.springframework.amqp.listener.ListenerExecutionFailedException;
import org.springframework.amqp.support.converter.MessageConversionException;

/**
 * Tells a failure that a later attempt may fix (a timeout, a lock, a server that is down for a moment)
 * from one that no attempt can fix, which is dead-lettered at once.
 */
final class FailureClassifier {

    private final List<Class<? extends Throwable>> notRetryable;

    FailureClassifier(List<Class<? extends Throwable>> notRetryable) {
        this.notRetryable = List.copyOf(notRetryable);
    }

    /** Whether any exception in the cause chain says that retrying cannot help. */
    boolean isRetryable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MessageConversionException || t instanceof InterruptedException) {
                return false;
            }
            for (Class<? extends Throwable> type : notRetryable) {
                if (type.isInstance(t)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The failure the application raised, without the listener container's wrapper around it. */
    static Throwable rootCause(Throwable failure) {
        Throwable t = failure;
        while (t instanceof ListenerExecutionFailedException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
