package dev.flashsale.load;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What the load generator sent and got back, one entry per request. Gatling's virtual users write here (from
 * its threads), and the benchmark reads it once the stream has ended.
 */
final class RequestLog {

    /**
     * One request.
     *
     * @param sentAt when it was sent (epoch milliseconds)
     * @param latencyMillis how long until the answer, as Gatling measured it; -1 when none came
     * @param status the HTTP status; 0 when no answer came
     * @param valid whether the order sent was valid (and so must be accepted)
     * @param orderId the order id of an accepted order, else null
     * @param units the units ordered, per SKU
     * @param idempotencyKey the request's {@code Idempotency-Key}
     * @param body the order sent
     * @param reoffered whether this outcome is that of the same request offered again, with its key, after it got no
     *        answer in time (see {@link Reoffer})
     */
    record Entry(long sentAt, int latencyMillis, int status, boolean valid, UUID orderId, Map<String, Integer> units,
            String idempotencyKey, String body, boolean reoffered, boolean express) {

        /** Whether the request got an answer at all. */
        boolean answered() {
            return status != 0;
        }
    }

    private final ConcurrentLinkedQueue<Entry> entries = new ConcurrentLinkedQueue<>();

    void add(Entry entry) {
        entries.add(entry);
    }

    List<Entry> entries() {
        return new ArrayList<>(entries);
    }
}
