package dev.flashsale.order.outbox;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * A deliberate fault at the outbox's most delicate moment: the order is committed, its event is
 * not yet published. This is the moment the transactional outbox exists for, so the tests and
 * the demos strike exactly here and show that the relay still publishes the event.
 */
@Component
public class AfterCommitFault {

    private static final Logger log = LoggerFactory.getLogger(AfterCommitFault.class);

    /** What happens between commit and publish. */
    public enum Mode {

        /** Nothing: the event is published right away. */
        NONE,

        /** The event is not published after the commit, as if the process had died there. */
        DROP,

        /** The JVM halts at once, like {@code kill -9}: no shutdown hook, no graceful close. */
        HALT
    }

    private volatile Mode mode;

    AfterCommitFault(OutboxProperties properties) {
        this.mode = properties.afterCommitFault();
    }

    public Mode mode() {
        return mode;
    }

    public void set(Mode mode) {
        log.warn("After-commit fault set to {}", mode);
        this.mode = mode;
    }

    /** True if the publish after this commit must not happen; never returns in {@link Mode#HALT}. */
    boolean strikes(OutboxMessage message) {
        return switch (mode) {
            case NONE -> false;
            case DROP -> {
                log.warn("Fault: event {} of order {} committed and not published", message.eventId(), message.aggregateId());
                yield true;
            }
            case HALT -> {
                log.warn("Fault: halting between commit and publish of order {}", message.aggregateId());
                Runtime.getRuntime().halt(137);
                yield true;
            }
        };
    }
}
