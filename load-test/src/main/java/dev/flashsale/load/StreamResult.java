package dev.flashsale.load;

import java.util.List;
import java.util.Map;

/**
 * What one stream of checkouts did: what was offered and accepted, how fast the checkout answered, how the
 * queues filled and drained, and the exactly-once accounting.
 *
 * @param stream the stream
 * @param sent requests sent
 * @param accepted valid orders accepted (202 or 201)
 * @param refused invalid orders refused with a 400, as they must be
 * @param failed anything else: an error status, a timeout, a valid order refused or an invalid one accepted
 * @param offeredPerSecond requests sent per second of the stream
 * @param acceptedPerSecond accepted orders per second of the stream
 * @param latencyMillis the checkout's answer time for accepted orders, in milliseconds (Gatling's resolution)
 * @param queues per work queue: its deepest point and when it was empty again
 * @param check the exactly-once accounting
 * @param relayed outbox rows the order-service's relay sent during the stream: 0 unless a row's after-commit publish
 *        failed (broker down, nack, return) or was never made
 * @param listenOverflows connection attempts the kernel dropped during the stream because a listener's accept queue
 *        was full (every listener on the machine; -1 where the kernel does not say): each one a client that waited 1 s
 *        before it could send its checkout ({@link ListenQueue})
 * @param costs what each process spent, from the stream's first request until the workers had applied every order
 * @param samples the queue samples taken from the start of the stream until the check ended
 * @param startedAtMillis when the stream started, on the sampler's clock
 * @param loadEndedAtMillis when its last answer came, on the sampler's clock
 */
record StreamResult(
        LoadStream stream,
        long sent,
        long accepted,
        long refused,
        long failed,
        double offeredPerSecond,
        double acceptedPerSecond,
        Percentiles latencyMillis,
        Map<String, QueueFigures> queues,
        ExactlyOnceCheck.Result check,
        long relayed,
        long listenOverflows,
        Map<String, ProcessCosts.Cost> costs,
        List<QueueSampler.Sample> samples,
        long startedAtMillis,
        long loadEndedAtMillis) {

    /**
     * CPU per order summed over the system's own processes: the four services and the broker, and on PostgreSQL the
     * backends serving the services' databases (not the load generator, nor the database server's shared processes).
     */
    double systemCpuMillisPerOrder() {
        return costs.entrySet().stream().filter(cost -> ProcessCosts.ofTheSystem(cost.getKey()))
                .mapToDouble(cost -> cost.getValue().cpuMillisPerOrder()).sum();
    }

    /** The part of {@link #systemCpuMillisPerOrder()} the JIT compiler threads of the four services used. */
    double systemJitMillisPerOrder() {
        return costs.entrySet().stream().filter(cost -> ProcessCosts.ofTheSystem(cost.getKey()))
                .mapToDouble(cost -> cost.getValue().jitMillisPerOrder()).sum();
    }

    /** The JIT compiler threads of the four services, in cores busy on average over the stream. */
    double systemJitCores() {
        return costs.entrySet().stream().filter(cost -> ProcessCosts.ofTheSystem(cost.getKey()))
                .mapToDouble(cost -> cost.getValue().jitCoresShare()).sum();
    }

    /**
     * A work queue during a stream.
     *
     * @param maxReady the most messages waiting at one time
     * @param drainedAfterMillis from the end of the load until the queue was empty again; 0 if it never held a backlog
     * @param growthPerSecond how fast the backlog grew during the second half of the load (least squares), in
     *        messages per second; about 0 when the workers keep up
     */
    record QueueFigures(long maxReady, long drainedAfterMillis, double growthPerSecond) {
    }
}
