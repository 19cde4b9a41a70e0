package dev.flashsale.order.outbox;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A deliberate fault at the outbox's most delicate moment: the order is committed, its event is
 * not yet published. This is the moment the transactional outbox exists for, so the tests and
 * the demos strike exactly here and show that the relay still publishes the event.
 *
 * <p>A decorator in front of the {@link OutboxPublisher}, which knows nothing of it: it exists only while the knob does
 * ({@value #KNOB}, on unless set to false, see {@link OutboxConfiguration}); without it, the commit goes to the publisher
 * directly and {@code /api/admin/faults} is not there.
 */
public class AfterCommitFault implements AfterCommitPublishing {

    /** The property that makes the knob exist: true unless set to false. */
    static final String KNOB = "flashsale.outbox.fault-knob";

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

    private final AfterCommitPublishing publisher;
    private volatile Mode mode;

    AfterCommitFault(AfterCommitPublishing publisher, Mode mode) {
        this.publisher = publisher;
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    public void set(Mode mode) {
        log.warn("After-commit fault set to {}", mode);
        this.mode = mode;
    }

    /** Hands the commit on, unless the fault strikes; never returns in {@link Mode#HALT}. */
    @Override
    public void publishCommitted(List<OutboxMessage> committed) {
        Mode now = committed.isEmpty() ? Mode.NONE : mode;
        switch (now) {
            case NONE -> publisher.publishCommitted(committed);
            case DROP -> committed.forEach(message -> log.warn("Fault: event {} of order {} committed and not published",
                    message.eventId(), message.aggregateId()));
            case HALT -> {
                log.warn("Fault: halting between commit and publish of order {}", committed.get(0).aggregateId());
                Runtime.getRuntime().halt(137);
            }
        }
    }
}
