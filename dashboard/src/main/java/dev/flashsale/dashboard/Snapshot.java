package dev.flashsale.dashboard;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import org.jspecify.annotations.Nullable;

/**
 * What the dashboard shows at one moment, as {@code GET /api/dashboard} answers it: the page's whole contract.
 *
 * @param takenAt when it was put together
 * @param broker the queues, from RabbitMQ's management API
 * @param workers each worker's counters, from its {@code /api/stats}
 * @param latency the two checkouts' latencies, measured here
 * @param latestOrders the latest orders, and which worker has applied each
 * @param rebuild where the analytics worker's last rebuild from the history stream is; null if it did not answer
 */
record Snapshot(Instant takenAt, Broker broker, List<Worker> workers, Map<String, Latency> latency, List<Order> latestOrders,
        @Nullable Rebuild rebuild) {

    /**
     * The broker's view.
     *
     * @param reachable whether the management API answered
     * @param problem why not, when it did not
     * @param publishRate messages per second published to the {@code orders} exchange
     * @param queues each worker's queue (and the email worker's express queue) with its DLQ
     * @param history the history stream; null if it does not exist
     */
    record Broker(boolean reachable, @Nullable String problem, double publishRate, List<Queue> queues, @Nullable Stream history) {

        static Broker unreachable(String problem) {
            return new Broker(false, problem, 0, List.of(), null);
        }
    }

    /**
     * The history stream. RabbitMQ 3.10's management API gives a stream's publish count, not its length: what the
     * retention has dropped is not subtracted (and the count restarts with the broker).
     *
     * @param name the stream
     * @param appended messages appended since the broker started
     * @param appendRate messages per second appended
     */
    record Stream(String name, long appended, double appendRate) {
    }

    /**
     * The analytics worker's last rebuild from the history stream, as its {@code GET /api/analytics/history/rebuild}
     * answers it; read tolerantly.
     *
     * @param state {@code idle}, {@code replaying}, {@code done} or {@code failed}
     * @param generation the generation of the figures it fills
     * @param read messages read from the stream so far
     * @param replayed orders it added
     * @param unreadable messages it skipped as unreadable
     * @param ordersBefore orders in the figures it replaced, once done
     * @param ordersAfter orders in the rebuilt figures, once done
     * @param error why it failed
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Rebuild(String state, int generation, long read, long replayed, long unreadable, @Nullable Long ordersBefore,
            @Nullable Long ordersAfter, @Nullable String error) {
    }

    /**
     * One work queue. RabbitMQ refreshes these numbers every few seconds (its statistics interval, 5 s by default).
     *
     * @param name the queue
     * @param ready messages waiting for a consumer
     * @param unacknowledged messages delivered and not yet acknowledged
     * @param consumers how many consumers it has
     * @param publishRate messages per second coming in
     * @param deliverRate messages per second handed to consumers
     * @param ackRate messages per second acknowledged
     * @param deadLetterQueue the DLQ beside it
     * @param deadLetterQueueDepth messages in the DLQ: normally 0, because each worker moves them into its table at once
     */
    record Queue(String name, long ready, long unacknowledged, int consumers, double publishRate, double deliverRate,
            double ackRate, String deadLetterQueue, long deadLetterQueueDepth) {
    }

    /**
     * One worker.
     *
     * @param name the worker, as its module is called
     * @param queue the queue it consumes
     * @param reachable whether it answered
     * @param problem why not, when it did not
     * @param stats its counters, when it answered
     */
    record Worker(String name, String queue, boolean reachable, @Nullable String problem, @Nullable WorkerStats stats) {
    }

    /**
     * A worker's counters as its {@code GET /api/stats} answers them; read tolerantly, like the events.
     *
     * @param processed orders applied since the worker started
     * @param duplicatesSkipped deliveries of an order already applied, skipped
     * @param retries attempts after a failed one
     * @param deadLettered messages it dead-lettered since it started
     * @param deadLettersParked dead letters in its table now, waiting for an admin
     * @param outcomes orders applied, by business outcome
     * @param consuming whether it takes messages from its queue
     * @param maxRatePerSecond its rate cap, the most messages a second it applies; null while there is none
     * @param total the sum over every live process of the worker (the one that answered among them); null from a worker
     *        that does not say, or while its database does not answer
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record WorkerStats(long processed, long duplicatesSkipped, long retries, long deadLettered, @Nullable Long deadLettersParked,
            Map<String, Long> outcomes, boolean consuming, @Nullable Integer maxRatePerSecond, @Nullable Total total) {
    }

    /**
     * A worker's counters summed over its live processes, as its {@code GET /api/stats} answers them; read tolerantly.
     *
     * @param instances how many processes of the worker are live
     * @param processed orders applied, by all of them
     * @param duplicatesSkipped duplicates skipped
     * @param retries retries
     * @param deadLettered messages sent to the DLQ
     * @param outcomes orders applied, by business outcome
     * @param consumers their consumers, all together
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Total(int instances, long processed, long duplicatesSkipped, long retries, long deadLettered, Map<String, Long> outcomes,
            int consumers) {
    }

    /**
     * A checkout's latency as the service measured it, request in to answer out, over about the last minute.
     *
     * @param count successful checkouts since the service started
     * @param p50 the median, in milliseconds
     * @param p90 the 90th percentile, in milliseconds
     * @param p99 the 99th percentile, in milliseconds
     */
    record Latency(long count, double p50, double p90, double p99) {
    }

    /**
     * One of the latest orders.
     *
     * @param orderId the order
     * @param status its status in the order-service ({@code ACCEPTED}, {@code PUBLISHED}, ...)
     * @param total what it costs
     * @param currency an ISO 4217 code
     * @param createdAt when it was accepted
     * @param appliedBy per worker: the outcome of applying it ({@code reserved}, {@code sent}, ...), or null while the
     *        worker has not applied it, or could not say
     */
    record Order(UUID orderId, String status, BigDecimal total, String currency, Instant createdAt,
            Map<String, @Nullable String> appliedBy) {
    }
}
