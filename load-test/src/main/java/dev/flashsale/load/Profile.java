package dev.flashsale.load;

import java.time.Duration;

/**
 * How long and how hard each part of the benchmark pushes: {@link #FULL} for the figures in BENCHMARKS.md,
 * {@link #SHORT} for CI, a few seconds of each so that the harness and its exactly-once check cannot rot, and
 * {@link #FLASH} to try a change: the full run's 500/s stream and flash sales on one system without simulated costs, no
 * sustained steps (about five minutes).
 *
 * @param name the profile's name on the command line
 * @param comparison how the system runs for the sync-against-async comparison: with the classic simulated costs
 * @param throughput how it runs for the other parts: without simulated costs, to measure the system itself
 * @param comparisonRate checkouts per second offered to each checkout in turn
 * @param comparisonDuration how long each of the two comparison streams lasts
 * @param warmUp load before the measured parts, so that the JIT compilers have done their work (verified, not reported)
 * @param settleSlices before the throughput parts, at most this many more slices of load at the async rate, until the
 *        services' JIT compilers are done (they used less than {@link #JIT_SETTLED_CORES} of a core in a slice)
 * @param settleSlice how long each of those slices lasts
 * @param asyncRate the rate of the latency bar (BENCHMARKS.md) for the asynchronous checkout
 * @param asyncDuration how long that stream lasts
 * @param peerRate the rate at which the order-service and the Spring Modulith peer are compared, one stream each of
 *        {@code asyncDuration}: one the peer can carry on this machine (at 500/s it fell seconds behind, and in a
 *        minute ran out of its 1 GB heap)
 * @param flashSaleOrders the orders of the flash sale
 * @param flashSaleRate the rate at which they are offered
 * @param invalidShare the share of invalid orders mixed into the flash sale, to be refused and never applied
 * @param flashSaleCap the rate cap of every worker, in orders a second, for the flash sale's second run: below the
 *        spike, so that the backlog drains at the cap
 * @param sustainedFrom the first rate of the sustained steps
 * @param sustainedStep how much each step adds
 * @param sustainedSteps the most steps
 * @param sustainedStepDuration how long each step lasts
 * @param brokerAlone how long PerfTest measures the broker alone
 * @param patience how long the workers may take to catch up after a stream before what is missing counts as lost
 */
record Profile(
        String name,
        Setting comparison,
        Setting throughput,
        double comparisonRate,
        Duration comparisonDuration,
        Duration warmUp,
        int settleSlices,
        Duration settleSlice,
        double asyncRate,
        Duration asyncDuration,
        double peerRate,
        int flashSaleOrders,
        double flashSaleRate,
        double invalidShare,
        int flashSaleCap,
        double sustainedFrom,
        double sustainedStep,
        int sustainedSteps,
        Duration sustainedStepDuration,
        Duration brokerAlone,
        Duration patience) {

    /** The JIT compilers of the four services together, in cores, under which they count as done. */
    static final double JIT_SETTLED_CORES = 0.05;

    static final Profile FULL = new Profile("full", new Setting(1.0, 2), new Setting(0, 2), 20, Duration.ofSeconds(60), Duration.ofSeconds(60),
            16, Duration.ofSeconds(15),
            500, Duration.ofSeconds(60), 250, 10_000, 2_000, 0.01, 500,
            250, 250, 16, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(10));

    static final Profile SHORT = new Profile("short", new Setting(0.01, 2), new Setting(0.01, 2), 10, Duration.ofSeconds(4), Duration.ofSeconds(4),
            1, Duration.ofSeconds(2),
            100, Duration.ofSeconds(4), 100, 400, 200, 0.05, 100,
            100, 100, 1, Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofMinutes(2));

    static final Profile FLASH = new Profile("flash", new Setting(0, 2), new Setting(0, 2), 20, Duration.ofSeconds(5), Duration.ofSeconds(60),
            16, Duration.ofSeconds(15),
            500, Duration.ofSeconds(30), 250, 10_000, 2_000, 0.01, 500,
            250, 250, 0, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5));

    static Profile named(String name) {
        return switch (name) {
            case "full" -> FULL;
            case "short" -> SHORT;
            case "flash" -> FLASH;
            default -> throw new IllegalArgumentException("Unknown profile '" + name + "': use full, short or flash");
        };
    }

    /**
     * How the system is started for a part of the benchmark.
     *
     * @param costScale the simulated downstream costs (1: the classic 1.15 s per order; 0: none)
     * @param consumers listener consumers per worker (a fixed number, so that PerfTest can be given the same); each
     *        applies up to a batch of orders at a time, and a batch's simulated costs are one wait
     */
    record Setting(double costScale, int consumers) {
    }
}
