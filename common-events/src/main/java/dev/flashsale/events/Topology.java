package dev.flashsale.events;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every exchange and queue of the system, in one place.
 *
 * <pre>
 * exchange "orders" (fanout) ─┬─> email.order-placed      ─(rejected)─> "orders.dlx" ─> email.order-placed.dlq
 *                             ├─> inventory.order-placed  ─(rejected)─> "orders.dlx" ─> inventory.order-placed.dlq
 *                             ├─> analytics.order-placed  ─(rejected)─> "orders.dlx" ─> analytics.order-placed.dlq
 *                             ├─> orders.history (stream: every order event, kept 7 days or 1 GB, read by a rebuild)
 *                             └─> "orders.express" (direct) ─(key order.placed.express)─> email.order-placed.express
 * </pre>
 *
 * An express order's event is published with the routing key {@code order.placed.express}: the fanout ignores the
 * key and gives it to every queue as usual; the exchange-to-exchange binding also hands it to {@code orders.express},
 * which routes on the key, so the email worker gets a second copy in a queue that has no backlog.
 *
 * Work queues are named {@code <worker>.<event>}; each has its dead-letter queue beside it,
 * named {@code <queue>.dlq}. The dead-letter exchange is a direct exchange and routes by the
 * dead-letter queue's own name, so each queue's rejects land in its own DLQ only.
 *
 * <p>Every service that declares these (the order-service and each worker) declares them with
 * exactly the arguments below: RabbitMQ refuses a re-declaration with different arguments.
 */
public final class Topology {

    /** The fanout exchange that the order-service's outbox publishes every order event to. */
    public static final String ORDERS_EXCHANGE = "orders";

    /** The direct exchange that rejected messages are dead-lettered to. */
    public static final String DEAD_LETTER_EXCHANGE = "orders.dlx";

    public static final String EMAIL_QUEUE = "email.order-placed";
    public static final String INVENTORY_QUEUE = "inventory.order-placed";
    public static final String ANALYTICS_QUEUE = "analytics.order-placed";

    /** The direct exchange, bound to {@link #ORDERS_EXCHANGE}, that routes express orders to their own queues. */
    public static final String EXPRESS_EXCHANGE = "orders.express";

    /**
     * The email worker's second queue, for express orders only. It dead-letters into the email queue's DLQ: the
     * email worker's one dead-letter table holds what fails on either queue.
     */
    public static final String EMAIL_EXPRESS_QUEUE = "email.order-placed.express";

    /** The three work queues, one per worker: each gets its own copy of every order. */
    public static final List<String> WORK_QUEUES = List.of(EMAIL_QUEUE, INVENTORY_QUEUE, ANALYTICS_QUEUE);

    /**
     * The stream that keeps every order event the exchange routes, for whoever wants to read them again: the
     * analytics worker rebuilds its figures from it. Unlike the work queues, reading it removes nothing.
     */
    public static final String HISTORY_STREAM = "orders.history";

    /**
     * The header of the marker a rebuild appends to the history stream: its value is the rebuild's id, and a reader
     * that is not looking for that marker skips it. It is the only message in the stream that is not an order event.
     */
    public static final String REBUILD_MARKER_HEADER = "x-rebuild-marker";

    /**
     * How many times the broker hands out one message before it dead-letters it on its own.
     * In-listener retries do not count (the message is not returned to the queue in between);
     * this is the safety net for a consumer that dies on a message again and again.
     */
    public static final int DELIVERY_LIMIT = 10;

    private Topology() {
    }

    /** The routing key an order's event is published with; only {@link #EXPRESS_EXCHANGE} looks at it. */
    public static String routingKey(OrderPlaced.Priority priority) {
        return priority == OrderPlaced.Priority.EXPRESS ? OrderPlaced.TYPE + ".express" : OrderPlaced.TYPE;
    }

    /** The express queue beside a work queue, if its worker has one (only the email worker does). */
    public static Optional<String> expressQueue(String workQueue) {
        return workQueue.equals(EMAIL_QUEUE) ? Optional.of(EMAIL_EXPRESS_QUEUE) : Optional.empty();
    }

    /**
     * The arguments of an express queue: those of its work queue (a quorum queue with a delivery limit), dead-lettering
     * into the work queue's DLQ.
     */
    public static Map<String, Object> expressQueueArguments(String workQueue) {
        return workQueueArguments(workQueue);
    }

    /** The dead-letter queue beside a work queue. */
    public static String deadLetterQueue(String workQueue) {
        return workQueue + ".dlq";
    }

    /**
     * The arguments of a work queue: a quorum queue (replicated in a cluster, with a delivery
     * limit) that dead-letters to its own DLQ, at-least-once. At-least-once dead-lettering keeps
     * a rejected message in the source queue until the DLQ has confirmed it; RabbitMQ only allows
     * it with {@code overflow = reject-publish}, so a full queue refuses new publishes (the
     * publisher sees a nack and its outbox retries) instead of dropping the oldest message.
     * The limit (set by a policy) is not exact for a quorum queue: what is already on its way when
     * it fills still gets in, and once over it the queue refuses until it is down to about 80% of
     * it (measured on RabbitMQ 3.10; {@code scripts/lab.sh overflow} shows the first part).
     *
     * <p>No {@code x-quorum-initial-group-size}, on purpose: without it a quorum queue takes every node of the
     * cluster as a replica when it is declared, three on a cluster of three (one on a single node), which is what we
     * want; a fixed size would be wrong on one or the other, and changing the
     * arguments would make every broker that holds the queues already refuse the services' declarations (406
     * PRECONDITION_FAILED). The catch: the replicas are those of the nodes running at declaration, and 3.10 does not
     * add any later, so the cluster must be whole before the services first start ({@code scripts/flashsale.sh
     * cluster start} waits for it; {@code rabbitmq-queues grow <node> all} adds a node to queues declared without it).
     * {@code ClusterDrillSystemTests} checks the three replicas.
     */
    public static Map<String, Object> workQueueArguments(String workQueue) {
        return Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", DELIVERY_LIMIT,
                "x-dead-letter-exchange", DEAD_LETTER_EXCHANGE,
                "x-dead-letter-routing-key", deadLetterQueue(workQueue),
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish");
    }

    /**
     * The arguments of the history stream: kept for 7 days or up to 1 GB, whichever comes first. A stream drops
     * whole segment files, oldest first; at 50 MB a segment (the default is 500 MB) the size limit is kept to within
     * 5%. At about 400 bytes an order event, 1 GB holds some 2.5 million orders.
     */
    public static Map<String, Object> historyStreamArguments() {
        return Map.of(
                "x-queue-type", "stream",
                "x-max-age", "7D",
                "x-max-length-bytes", 1_000_000_000L,
                "x-stream-max-segment-size-bytes", 50_000_000);
    }

    /** The arguments of a dead-letter queue: a quorum queue that keeps what it is given. */
    public static Map<String, Object> deadLetterQueueArguments() {
        return Map.of("x-queue-type", "quorum");
    }
}
