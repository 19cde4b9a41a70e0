package dev.flashsale.system;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.RabbitManagement.QuorumQueue;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The rolling-restart drill: the whole system on a RabbitMQ cluster of three nodes of its own, under a fixed-rate
 * checkout load, while first the node that leads the inventory queue and then the node that holds the
 * order-service's connection are stopped and brought back, one after the other. Nothing may be lost or applied
 * twice, and every checkout must be answered 202 (the checkout commits to its outbox and never waits for the broker).
 *
 * <p>Measured meanwhile, and printed in one block ({@code Cluster drill: ...}): for each work queue, the longest time
 * it had no leader (sampled every {@link #SAMPLE_EVERY} from the management API); and the order-service's outbox,
 * sampled from its Prometheus endpoint: how long after each stop it was back to publishing at once (its oldest
 * unpublished row younger than a second for good), and the longest time it was behind. RELIABILITY.md has the figures.
 */
class ClusterDrillSystemTests {

    private static final Logger log = LoggerFactory.getLogger(ClusterDrillSystemTests.class);

    /** Orders a second: well within what the system sustains on two cores, also with three broker nodes beside it. */
    static final int RATE = 40;
    /**
     * The load runs until {@link #AFTER_LAST_STOP} after the cluster is whole again from the last stop, and at most
     * this long. Not a fixed length: on two shared cores a stop took from 20 to 50 s (stop_app alone 8 to 16 s under
     * load, start_app 4 to 17 s), and a load that ended in the middle of the second left it without orders to count.
     */
    static final Duration LOAD_AT_MOST = Duration.ofSeconds(180);
    static final Duration AFTER_LAST_STOP = Duration.ofSeconds(5);

    /**
     * The first stop comes after this many seconds of load; the second {@link #BETWEEN_STOPS} after the cluster is
     * whole again, so that the outbox's recovery from the first is over before the second begins.
     */
    static final double FIRST_STOP_AT = 10;
    static final Duration BETWEEN_STOPS = Duration.ofSeconds(5);

    /**
     * How long a node stays down once its application has stopped. A time, not a count of orders accepted meanwhile:
     * on busy cores the checkout slowed to 5 to 20 orders a second while a node stopped and started beside it, and a
     * count would have made the wait as long as that made it. The orders accepted meanwhile are in the figures.
     */
    static final Duration DOWN = Duration.ofSeconds(8);

    static final Duration SAMPLE_EVERY = Duration.ofMillis(150);
    static final Duration OUTBOX_SAMPLE_EVERY = Duration.ofMillis(500);

    /** The outbox counts as caught up while its oldest unpublished row is younger than this. */
    static final double OUTBOX_CAUGHT_UP_SECONDS = 1.0;

    static final Duration PATIENCE = Duration.ofSeconds(120);

    static final Duration WARM_UP = Duration.ofSeconds(10);

    private static final String VHOST = "/";

    private final Checkout client = new Checkout();

    @Test
    void aRollingRestartUnderLoadLosesNothingAppliesNothingTwiceAndAnswersEveryCheckout() throws Exception {
        try (RabbitCluster cluster = RabbitCluster.start(3);
                Smtp smtp = new Smtp(NoDelayGreenMail.startOnFreePort());
                FlashSaleSystem system = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                        .brokerAddresses(cluster.addresses(), "guest", "guest", VHOST)
                        // Each service connects to a node picked at random (and picks again when it reconnects): the
                        // connections, and with them the queues' leaders, spread over the cluster (docs/decisions.md).
                        .property("spring.rabbitmq.address-shuffle-mode", "random")
                        .smtp("127.0.0.1", smtp.greenMail().getSmtp().getPort())
                        .property("flashsale.dashboard.rabbitmq.url", cluster.management().base().toString())
                        .property("flashsale.worker.costs.scale", "0")
                        .jvmOption("-XX:TieredStopAtLevel=1")
                        .workDirectory(EndToEndSystemTests.workDirectory("cluster-drill"))
                        .start()) {
            drill(cluster, smtp.greenMail(), system);
        }
    }

    private void drill(RabbitCluster cluster, GreenMail smtp, FlashSaleSystem system) throws Exception {
        // Quorum queues take every node of the cluster as a member when they are declared (no
        // x-quorum-initial-group-size, see Topology): three replicas each, the services having started on the whole cluster.
        Map<String, QuorumQueue> before = cluster.quorumQueues(VHOST);
        for (String queue : Topology.WORK_QUEUES) {
            assertThat(before.get(queue)).as("work queue %s", queue).isNotNull();
            assertThat(before.get(queue).members()).as("replicas of %s", queue).hasSize(3);
        }
        log.info("Before the drill: leaders {}; the order-service's connection on {}", leaders(before),
                cluster.nodesHoldingConnectionsOf(system.process(Service.ORDER_SERVICE).pid()));

        // A warm-up at the same rate, not measured: the drill's load must not meet JVMs that have just started. Without
        // it, one run of five on two busy shared cores applied its first order only 12 s into the load (3 to 5 s in the
        // others) and left 219 checkouts unanswered within the client's 10 s; when they were offered was not recorded
        // then (it is now, in the figures), so the cold start is the likely cause, not a proven one.
        Accounting beforeWarmUp = Accounting.begin(system, smtp);
        FixedRateLoad.Result warmUp = FixedRateLoad.start(system.uri(Service.ORDER_SERVICE), RATE, WARM_UP).await();
        beforeWarmUp.settle("cluster drill warm-up", warmUp.offered(), warmUp.accepted(), warmUp.refusedCount(), PATIENCE);

        Accounting accounting = Accounting.begin(system, smtp);
        LeaderSampler leaders = new LeaderSampler(cluster);
        OutboxSampler outbox = new OutboxSampler(system);
        FixedRateLoad load = FixedRateLoad.start(system.uri(Service.ORDER_SERVICE), RATE, LOAD_AT_MOST);
        long loadStart = System.nanoTime();
        List<Stop> stops = new ArrayList<>();
        double loadSeconds;
        Accounting.Report report;
        FixedRateLoad.Result result;
        int unansweredAtFirst;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> load.elapsedSeconds() >= FIRST_STOP_AT);
            String inventoryLeader = cluster.leaderOf(VHOST, Topology.INVENTORY_QUEUE);
            stops.add(stopAndBringBack(cluster, load, inventoryLeader, "the leader of " + Topology.INVENTORY_QUEUE, loadStart));

            Thread.sleep(BETWEEN_STOPS.toMillis());
            long orderService = system.process(Service.ORDER_SERVICE).pid();
            // It may still be reconnecting after the first stop: asked until it holds a connection again.
            Set<String> holding = await("the order-service connected").atMost(Duration.ofSeconds(30))
                    .until(() -> cluster.nodesHoldingConnectionsOf(orderService), nodes -> !nodes.isEmpty());
            String connectionNode = holding.iterator().next();
            stops.add(stopAndBringBack(cluster, load, connectionNode, "the node of the order-service's connection " + holding, loadStart));

            Thread.sleep(AFTER_LAST_STOP.toMillis());
            load.stopOffering();
            loadSeconds = secondsSince(loadStart);
            unansweredAtFirst = load.await().unanswered().size();
            // As a client does, and as the fault suite's halted order-service test: an order whose answer never came is
            // offered again with its Idempotency-Key (placed, or replayed if it had been committed). How many needed it
            // is a figure of the drill; a refusal (an answer other than 202) still fails it.
            result = load.offerUnansweredAgain(3);
            report = accounting.settle("cluster drill", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        }
        finally {
            leaders.stop();
            outbox.stop();
        }

        Drill figures = new Drill(stops, leaders.longestGaps(), leaders.failedSamples(), leaders.intervals(), outbox, result, load.failures(), report, loadStart,
                loadSeconds);
        log.info(figures.block());
        log.info("Cluster drill: {} checkouts unanswered within the client's wait, offered again with their keys: {} of them replayed "
                + "(they had been committed)", unansweredAtFirst, result.replayed().size());

        assertThat(result.accepted()).as("orders accepted").isNotEmpty();
        assertThat(result.refused()).as("checkouts answered other than 202").isEmpty();
        assertThat(result.unanswered()).as("checkouts unanswered, even when offered again").isEmpty();
        assertThat(result.accepted()).as("orders accepted of those offered").hasSize(result.offered());
        assertThat(report.lost()).as("lost: " + report.line()).isZero();
        assertThat(report.twice()).as("applied twice: " + report.line()).isZero();
        assertThat(report.unasked()).as("applied and never accepted: " + report.line()).isZero();
        assertThat(figures.outboxRecovered()).as("the outbox caught up after every stop").allMatch(Optional::isPresent);
    }

    /**
     * One node stopped and brought back: which, why, and when, in seconds since the load started: its stop asked for,
     * its application down ({@code stop_app} returned), its start asked for, its application answering again, and
     * every work queue's three replicas running again.
     */
    record Stop(String node, String why, double stoppedAt, double downAt, double startedAt, double upAt, double wholeAgainAt,
            int acceptedWhileDown, Map<String, String> leadersAfter) {
    }

    /**
     * Stops a node's application, keeps it down for {@link #DOWN}, starts it
     * again, and waits until every work queue has all its replicas running again: the next stop must find a whole
     * cluster, as a rolling restart takes one node at a time (two replicas down of three would leave a queue without
     * a majority, and unavailable until one comes back).
     */
    private Stop stopAndBringBack(RabbitCluster cluster, FixedRateLoad load, String node, String why, long loadStart) {
        double stoppedAt = secondsSince(loadStart);
        double downAt = Double.NaN;
        int acceptedWhenDown = 0;
        double startedAt;
        try {
            cluster.stop(node);
            // Counted from the moment the application is down: stop_app itself takes seconds under load.
            downAt = secondsSince(loadStart);
            acceptedWhenDown = load.acceptedSoFar();
            Thread.sleep(DOWN.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        finally {
            startedAt = secondsSince(loadStart);
            cluster.start(node);
        }
        int acceptedWhileDown = load.acceptedSoFar() - acceptedWhenDown;
        double upAt = secondsSince(loadStart);
        await("every work queue with its three replicas running").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> Topology.WORK_QUEUES.stream().allMatch(queue -> cluster.quorumQueues(VHOST).get(queue).online().size() == 3));
        Stop stop = new Stop(node, why, stoppedAt, downAt, startedAt, upAt, secondsSince(loadStart), acceptedWhileDown,
                leaders(cluster.quorumQueues(VHOST)));
        log.info("Stopped {} ({}) at {} s (down at {} s), started at {} s (up at {} s), whole again at {} s; leaders now {}", node, why,
                "%.1f".formatted(stoppedAt), "%.1f".formatted(downAt), "%.1f".formatted(startedAt), "%.1f".formatted(upAt),
                "%.1f".formatted(stop.wholeAgainAt()), stop.leadersAfter());
        return stop;
    }

    private static Map<String, String> leaders(Map<String, QuorumQueue> queues) {
        Map<String, String> leaders = new LinkedHashMap<>();
        for (String queue : Topology.WORK_QUEUES) {
            leaders.put(queue, queues.get(queue).leader().orElse("none"));
        }
        return leaders;
    }

    private static double secondsSince(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Samples every work queue's leader every {@link #SAMPLE_EVERY}. A queue's gap runs from the last sample that saw
     * it led to the next one that does, across samples that answered "no leader"; a sample the API did not answer
     * is counted apart, and a gap is only taken when some answered sample saw no leader in it.
     */
    private static final class LeaderSampler {

        private record Sample(long at, Map<String, Boolean> led) {
        }

        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private volatile int failed;

        LeaderSampler(RabbitCluster cluster) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    Map<String, QuorumQueue> queues = cluster.quorumQueues(VHOST);
                    Map<String, Boolean> led = new LinkedHashMap<>();
                    for (String queue : Topology.WORK_QUEUES) {
                        led.put(queue, queues.containsKey(queue) && queues.get(queue).leader().isPresent());
                    }
                    samples.add(new Sample(System.nanoTime(), led));
                }
                catch (RuntimeException ex) {
                    failed++;
                }
            }, 0, SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }

        int failedSamples() {
            return failed;
        }

        /**
         * How far apart the samples really were: each waits for the management API's answer, which takes longer on
         * busy cores, so a gap shorter than the longest interval can go unseen.
         */
        String intervals() {
            List<Long> intervals = new ArrayList<>();
            for (int i = 1; i < samples.size(); i++) {
                intervals.add((samples.get(i).at() - samples.get(i - 1).at()) / 1_000_000);
            }
            intervals.sort(null);
            return intervals.isEmpty() ? "no samples" : "%d samples, %d ms apart (median), %d ms at most".formatted(samples.size(),
                    intervals.get(intervals.size() / 2), intervals.get(intervals.size() - 1));
        }

        /** Per work queue, the longest time without a leader, and how many samples were taken. */
        Map<String, Duration> longestGaps() {
            Map<String, Duration> gaps = new LinkedHashMap<>();
            for (String queue : Topology.WORK_QUEUES) {
                long longest = 0;
                Long lastLed = null;
                boolean sawNone = false;
                for (Sample sample : samples) {
                    if (sample.led().get(queue)) {
                        if (sawNone && lastLed != null) {
                            longest = Math.max(longest, sample.at() - lastLed);
                        }
                        lastLed = sample.at();
                        sawNone = false;
                    }
                    else {
                        sawNone = true;
                    }
                }
                if (sawNone && lastLed != null) {
                    // Still without a leader when the sampling stopped: the gap so far, at least.
                    longest = Math.max(longest, samples.get(samples.size() - 1).at() - lastLed);
                }
                gaps.put(queue, Duration.ofNanos(longest));
            }
            return gaps;
        }
    }

    /** Samples the order-service's outbox gauges (backlog, oldest unpublished row) from its Prometheus endpoint. */
    private final class OutboxSampler {

        record Sample(long at, double oldestAgeSeconds, double backlog) {
        }

        private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        private final List<Sample> samples = new CopyOnWriteArrayList<>();

        OutboxSampler(FlashSaleSystem system) {
            scheduler.scheduleWithFixedDelay(() -> {
                try {
                    String metrics = client.getText(system.uri(Service.ORDER_SERVICE).resolve("/actuator/prometheus"));
                    samples.add(new Sample(System.nanoTime(), metric(metrics, "flashsale_outbox_oldest_age_seconds"),
                            metric(metrics, "flashsale_outbox_backlog")));
                }
                catch (RuntimeException ex) {
                    // A scrape that failed is a sample missing; the figures say how many were taken.
                }
            }, 0, OUTBOX_SAMPLE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
        }

        void stop() throws InterruptedException {
            scheduler.shutdownNow();
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        }

        List<Sample> samples() {
            return samples;
        }

        private static double metric(String metrics, String name) {
            return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        }
    }

    /** The drill's figures, and the block that prints them. */
    private record Drill(List<Stop> stops, Map<String, Duration> leaderGaps, int failedLeaderSamples, String leaderSampleIntervals, OutboxSampler outbox,
            FixedRateLoad.Result result, Map<String, Integer> unansweredBecause, Accounting.Report report, long loadStart, double loadSeconds) {

        private double at(long nanos) {
            return (nanos - loadStart) / 1e9;
        }

        /**
         * Per stop, how long after it the outbox was caught up for good (its oldest unpublished row younger than
         * {@link #OUTBOX_CAUGHT_UP_SECONDS} from then to the next stop, or to the end): 0 if it never fell behind,
         * empty if it had not caught up by the end.
         */
        List<Optional<Double>> outboxRecovered() {
            List<Optional<Double>> recovered = new ArrayList<>();
            List<OutboxSampler.Sample> samples = outbox.samples();
            for (int i = 0; i < stops.size(); i++) {
                double from = stops.get(i).stoppedAt();
                double to = i + 1 < stops.size() ? stops.get(i + 1).stoppedAt() : Double.MAX_VALUE;
                List<OutboxSampler.Sample> window = samples.stream().filter(s -> at(s.at()) >= from && at(s.at()) < to).toList();
                Optional<Double> lastBehind = window.stream().filter(s -> !(s.oldestAgeSeconds() < OUTBOX_CAUGHT_UP_SECONDS))
                        .map(s -> at(s.at())).reduce((a, b) -> b);
                boolean caughtUpAfter = lastBehind.isEmpty() || window.stream().anyMatch(s -> at(s.at()) > lastBehind.get());
                recovered.add(caughtUpAfter ? Optional.of(lastBehind.map(t -> t - from).orElse(0.0)) : Optional.empty());
            }
            return recovered;
        }

        private String peaks(int i) {
            double from = stops.get(i).stoppedAt();
            double to = i + 1 < stops.size() ? stops.get(i + 1).stoppedAt() : Double.MAX_VALUE;
            List<OutboxSampler.Sample> window = outbox.samples().stream().filter(s -> at(s.at()) >= from && at(s.at()) < to).toList();
            return "oldest unpublished row %.1f s at most, backlog %.0f rows at most".formatted(
                    window.stream().mapToDouble(OutboxSampler.Sample::oldestAgeSeconds).filter(Double::isFinite).max().orElse(0),
                    window.stream().mapToDouble(OutboxSampler.Sample::backlog).filter(Double::isFinite).max().orElse(0));
        }

        /**
         * The longest run of samples in which the outbox was behind (its oldest unpublished row at least
         * {@link #OUTBOX_CAUGHT_UP_SECONDS} old), from the first such sample to the first caught-up one after it.
         */
        double longestBehind() {
            double longest = 0;
            Double behindSince = null;
            for (OutboxSampler.Sample sample : outbox.samples()) {
                double t = at(sample.at());
                boolean behind = !(sample.oldestAgeSeconds() < OUTBOX_CAUGHT_UP_SECONDS);
                if (behind && behindSince == null) {
                    behindSince = t;
                }
                else if (!behind && behindSince != null) {
                    longest = Math.max(longest, t - behindSince);
                    behindSince = null;
                }
            }
            return longest;
        }

        String block() {
            StringBuilder block = new StringBuilder("Cluster drill: 3 nodes, %d orders/s for %.0f s, a rolling restart of %d nodes (rabbitmqctl stop_app, then start_app; times in s since the load began)%n"
                    .formatted(RATE, loadSeconds, stops.size()));
            List<Optional<Double>> recovered = outboxRecovered();
            for (int i = 0; i < stops.size(); i++) {
                Stop stop = stops.get(i);
                block.append(("  stop %d: %s (%s): stop_app at %.1f s (%.1f s to return), down until start_app at %.1f s (%.1f s to return;"
                        + " %d checkouts accepted from stop_app's return to start_app's), all replicas running again at %.1f s; leaders then %s%n")
                        .formatted(i + 1, stop.node(), stop.why(), stop.stoppedAt(), stop.downAt() - stop.stoppedAt(), stop.startedAt(),
                                stop.upAt() - stop.startedAt(), stop.acceptedWhileDown(), stop.wholeAgainAt(), stop.leadersAfter()));
                block.append("          outbox: %s; %s%n".formatted(recovered.get(i)
                        .map(seconds -> seconds == 0 ? "never fell behind" : "caught up %.1f s after the stop".formatted(seconds))
                        .orElse("NOT caught up by the end"), peaks(i)));
            }
            block.append("  longest time without a leader (%s; %d unanswered): %s%n".formatted(leaderSampleIntervals,
                    failedLeaderSamples, leaderGaps.entrySet().stream().map(gap -> gap.getKey() + " " + (gap.getValue().isZero()
                            ? "none seen" : "%.2f s".formatted(gap.getValue().toMillis() / 1000.0)))
                            .collect(Collectors.joining(", "))));
            block.append("  longest time the outbox was behind (oldest unpublished row %.0f s old or more): %.1f s (sampled every %d ms, %d samples)%n"
                    .formatted(OUTBOX_CAUGHT_UP_SECONDS, longestBehind(), OUTBOX_SAMPLE_EVERY.toMillis(), outbox.samples().size()));
            block.append("  checkouts: offered %d, answered 202 %d, answered otherwise %d %s, unanswered %d%s%n".formatted(result.offered(),
                    result.accepted().size(), result.refusedCount(), result.refused(), result.unanswered().size(),
                    result.unanswered().isEmpty() ? "" : " (offered from %.1f s to %.1f s; %s)".formatted(
                            result.unanswered().stream().mapToDouble(FixedRateLoad.Offer::offeredAt).min().orElse(0),
                            result.unanswered().stream().mapToDouble(FixedRateLoad.Offer::offeredAt).max().orElse(0), unansweredBecause)));
            block.append("  ").append(report.line());
            return block.toString();
        }
    }

    /** GreenMail as a resource of the try-with-resources, so that it is stopped with the rest. */
    private record Smtp(GreenMail greenMail) implements AutoCloseable {

        @Override
        public void close() {
            greenMail.stop();
        }
    }
}
