package dev.flashsale.load;

import java.time.Duration;
import java.util.List;

/**
 * How long and how hard each part of the benchmark pushes: {@link #FULL} for the figures in BENCHMARKS.md,
 * {@link #SHORT} for CI, a few seconds of each so that the harness and its exactly-once check cannot rot, and
 * {@link #FLASH} to try a change: the full run's 500/s stream and flash sales on one system without simulated costs, no
 * sustained steps (about five minutes), and {@link #SCALED}, the same fixed-rate stream against one, then two instances of
 * every service, all on PostgreSQL: what scaling out costs on this machine.
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
 * @param scaled the scaled stream, for the {@code scaled} profile alone (which runs nothing else); null in the others
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
        Duration patience,
        Scaled scaled) {

    /** The JIT compilers of the four services together, in cores, under which they count as done. */
    static final double JIT_SETTLED_CORES = 0.05;

    static final Profile FULL = new Profile("full", new Setting(1.0, 2), new Setting(0, 2), 20, Duration.ofSeconds(60), Duration.ofSeconds(60),
            16, Duration.ofSeconds(15),
            500, Duration.ofSeconds(60), 250, 10_000, 2_000, 0.01, 500,
            250, 250, 16, Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMinutes(10), null);

    static final Profile SHORT = new Profile("short", new Setting(0.01, 2), new Setting(0.01, 2), 10, Duration.ofSeconds(4), Duration.ofSeconds(4),
            1, Duration.ofSeconds(2),
            100, Duration.ofSeconds(4), 100, 400, 200, 0.05, 100,
            100, 100, 1, Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofMinutes(2), null);

    static final Profile FLASH = new Profile("flash", new Setting(0, 2), new Setting(0, 2), 20, Duration.ofSeconds(5), Duration.ofSeconds(60),
            16, Duration.ofSeconds(15),
            500, Duration.ofSeconds(30), 250, 10_000, 2_000, 0.01, 500,
            250, 250, 0, Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofMinutes(5), null);

    /**
     * One fixed-rate stream of asynchronous checkouts against one instance of every service, then against two, each
     * system on PostgreSQL databases of its own (the two-instance one must share a database per service, and the
     * one-instance one runs on the same kind, so that the comparison is of instances, not of databases). Each system
     * gets the ramped warm-up, then slices at the stream's rate until its JIT compilers are done (at most six). Only the
     * fields the scaled run reads matter here: the warm-up, the slices, the throughput setting and the patience.
     */
    static final Profile SCALED = new Profile("scaled", new Setting(0, 2), new Setting(0, 2), 20, Duration.ofSeconds(5), Duration.ofSeconds(60),
            6, Duration.ofSeconds(15),
            300, Duration.ofSeconds(30), 250, 0, 1, 0, 0,
            0, 0, 0, Duration.ofSeconds(30), Duration.ZERO, Duration.ofMinutes(5),
            new Scaled(300, Duration.ofSeconds(30), List.of(1, 2)));

    static Profile named(String name) {
        return switch (name) {
            case "full" -> FULL;
            case "short" -> SHORT;
            case "flash" -> FLASH;
            case "scaled" -> SCALED;
            default -> throw new IllegalArgumentException("Unknown profile '" + name + "': use full, short, flash or scaled");
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

    /**
     * The scaled stream: the same load against systems of more and more instances of every service.
     *
     * @param rate checkouts per second, sent to the order-service's instances in turn; one this 2-core machine carries
     *        with eight service JVMs, the broker, PostgreSQL and the load generator on it (BENCHMARKS.md, "Scaled")
     * @param duration how long the stream lasts, after the warm-up
     * @param instances the instances of every service in each system, one system after the other
     */
    record Scaled(double rate, Duration duration, List<Integer> instances) {
    }
}
