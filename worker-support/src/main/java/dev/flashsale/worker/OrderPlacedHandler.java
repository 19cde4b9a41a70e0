package dev.flashsale.worker;

import java.util.List;

import dev.flashsale.events.OrderPlaced;

/**
 * What a worker does with an {@link OrderPlaced}: its effect, and nothing else. The pipeline ({@link OrderApplier})
 * calls it whichever way the order arrives (a batch from the queue, one delivery on its own, the synchronous
 * checkout's HTTP call), inside the transaction that writes the order's dedup row, and only for an order this worker
 * has not applied yet: a handler never checks for duplicates itself, and cannot forget to.
 */
public interface OrderPlacedHandler {

    /**
     * Applies the order, in the pipeline's transaction: an exception rolls back the effect and the dedup row together.
     *
     * @return what it did, recorded beside the dedup row
     */
    Outcome apply(OrderPlaced order);

    /**
     * Called in a batch's transaction before {@link #apply} is called for each of its orders: the place to take, in a
     * fixed order, the locks the whole batch will need. A batch holds every row lock it takes until it commits, so
     * two batches that lock the same rows in different orders deadlock (the database then rolls one back, and its
     * orders go one at a time). Nothing to do by default.
     */
    default void beforeBatch(List<OrderPlaced> orders) {
    }

    /**
     * Called when applying the order on its own failed, outside any transaction: a handler whose downstream is known to
     * be away for a while (the email worker's SMTP breaker is open) waits here until it is back and answers
     * {@code true}, and the order is applied again at once, without using up one of its attempts. {@code false} (the
     * default) lets the failure take its course: retries, then the dead letter, or the HTTP caller's error.
     *
     * <p>Never called for an order in a batch: there, a failure stops the batch at that order, and it goes on alone,
     * where a wait holds up nobody else's order. So a handler never needs to ask whether it runs inside a batch.
     */
    default boolean waitOut(OrderPlaced order, RuntimeException failure) throws InterruptedException {
        return false;
    }
}
