package dev.flashsale.order.outbox;

import java.util.List;

/**
 * What the {@link Outbox} does with the rows of a transaction once it has committed: the {@link OutboxPublisher} sends
 * them; the {@link AfterCommitFault}, where the knob exists, stands in front of it.
 */
interface AfterCommitPublishing {

    /** Takes the rows of a commit towards the broker. Must not wait for the broker: it runs before the checkout answers. */
    void publishCommitted(List<OutboxMessage> committed);
}
