package dev.flashsale.load;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Everything one benchmark run measured, and how it compares with the bars in BENCHMARKS.md.
 *
 * @param profile the profile it ran
 * @param environment the machine
 * @param finishedAt when it ended
 * @param comparison the synchronous, then the asynchronous stream, at the same rate and with the same costs
 * @param async the asynchronous checkout at the rate of its latency bar (BENCHMARKS.md)
 * @param ours the order-service's stream at the rate of the comparison with the Spring Modulith peer
 * @param modulith the same stream on the peer, right after it, in the same system
 * @param flashSale the flash sale
 * @param flashSaleCapped the same flash sale with every worker capped at {@code workerCap} orders a second
 * @param workerCap that cap
 * @param flashSaleWorkersPaused the same flash sale with every worker's consumption stopped during the load: the
 *        checkout's part alone
 * @param flashSaleOtherClient the uncapped flash sale driven by hey instead of Gatling; null where hey is missing
 * @param sustained the sustained steps, in order of rate, up to the first one the system did not hold
 * @param brokerAlone the broker alone on the same topology
 * @param scaled the scaled stream on each system, in order of instances (the {@code scaled} profile; empty in the others)
 */
record Report(
        Profile profile,
        Map<String, String> environment,
        Instant finishedAt,
        List<StreamResult> comparison,
        StreamResult async,
        StreamResult ours,
        StreamResult modulith,
        StreamResult flashSale,
        StreamResult flashSaleCapped,
        int workerCap,
        StreamResult flashSaleWorkersPaused,
        StreamResult flashSaleOtherClient,
        List<StreamResult> sustained,
        BrokerAlone.Result brokerAlone,
        List<Scaled> scaled) {

    /**
     * The scaled stream on one system.
     *
     * @param instances the instances of every service
     * @param warmUp how the system was warmed up (the slices until its JIT compilers were done)
     * @param result the stream
     */
    record Scaled(int instances, String warmUp, StreamResult result) {
    }

    /** A step holds when every order is accepted at the offered rate, its p99 is under 100 ms, and no queue grows. */
    static boolean held(StreamResult step) {
        double rate = step.stream().rate();
        boolean queuesFlat = step.queues().values().stream()
                .allMatch(queue -> queue.growthPerSecond() <= Math.max(5, 0.02 * rate));
        return step.failed() == 0 && step.acceptedPerSecond() >= 0.98 * rate && step.latencyMillis().p99() < 100
                && queuesFlat && step.check().exactlyOnce();
    }

    /** The highest sustained rate the whole system held, in orders per second (0 if none). */
    double sustainedRate() {
        return sustained.stream().filter(Report::held).mapToDouble(step -> step.stream().rate()).max().orElse(0);
    }

    /** The whole system's sustained rate over what the broker alone sustained on the same topology. */
    double ratioToBroker() {
        return brokerAlone == null || brokerAlone.sustained() == 0 ? 0 : sustainedRate() / brokerAlone.sustained();
    }

    /** The synchronous checkout's median over the asynchronous one's, at the same rate. */
    double syncOverAsyncMedian() {
        Optional<StreamResult> sync = comparison.stream().filter(result -> result.stream().checkout() == LoadStream.Checkout.SYNC).findFirst();
        Optional<StreamResult> async = comparison.stream().filter(result -> result.stream().checkout() == LoadStream.Checkout.ASYNC).findFirst();
        return sync.isPresent() && async.isPresent() ? sync.get().latencyMillis().p50() / async.get().latencyMillis().p50() : 0;
    }

    List<StreamResult> streams() {
        return Stream.of(comparison.stream(), Stream.ofNullable(async), Stream.ofNullable(ours), Stream.ofNullable(modulith), Stream.ofNullable(flashSale), Stream.ofNullable(flashSaleCapped),
                        Stream.ofNullable(flashSaleWorkersPaused), Stream.ofNullable(flashSaleOtherClient), sustained.stream(),
                        scaled.stream().map(Scaled::result))
                .flatMap(s -> s).toList();
    }

    /** Whether every stream's accepted orders were applied exactly once by every worker, and nothing refused was. */
    boolean exactlyOnce() {
        return streams().stream().allMatch(result -> result.check().exactlyOnce());
    }

    long lost() {
        return streams().stream().mapToLong(result -> result.check().lost()).sum();
    }

    long duplicated() {
        return streams().stream().mapToLong(result -> result.check().duplicated()).sum();
    }

    /** Mails sent again after an unanswered send, in all: SMTP's at-least-once edge, reported apart from duplicates. */
    long sentAgain() {
        return streams().stream().mapToLong(result -> result.check().sentAgain()).sum();
    }

    static Builder builder(Profile profile, Map<String, String> environment) {
        return new Builder(profile, environment);
    }

    /** Collects the results as the benchmark goes. */
    static final class Builder {

        private final Profile profile;
        private final Map<String, String> environment;
        private final List<StreamResult> comparison = new ArrayList<>();
        private final List<StreamResult> sustained = new ArrayList<>();
        private final List<Scaled> scaled = new ArrayList<>();
        private StreamResult async;
        private StreamResult ours;
        private StreamResult modulith;
        private StreamResult flashSale;
        private StreamResult flashSaleCapped;
        private int workerCap;
        private StreamResult flashSaleWorkersPaused;
        private StreamResult flashSaleOtherClient;
        private BrokerAlone.Result brokerAlone;

        private Builder(Profile profile, Map<String, String> environment) {
            this.profile = profile;
            this.environment = new LinkedHashMap<>(environment);
        }

        /** Adds what the run found out about its environment, e.g. how long the JIT took to settle. */
        void environment(String key, String value) {
            environment.put(key, value);
        }

        void comparison(StreamResult result) {
            comparison.add(result);
        }

        void async(StreamResult result) {
            async = result;
        }

        void peerComparison(StreamResult ourCheckout, StreamResult peer) {
            ours = ourCheckout;
            modulith = peer;
        }

        void flashSale(StreamResult result) {
            flashSale = result;
        }

        void flashSaleCapped(StreamResult result, int cap) {
            flashSaleCapped = result;
            workerCap = cap;
        }

        void flashSaleWorkersPaused(StreamResult result) {
            flashSaleWorkersPaused = result;
        }

        void flashSaleOtherClient(StreamResult result) {
            flashSaleOtherClient = result;
        }

        void sustained(StreamResult result) {
            sustained.add(result);
        }

        void brokerAlone(BrokerAlone.Result result) {
            brokerAlone = result;
        }

        void scaled(int instances, String warmUp, StreamResult result) {
            scaled.add(new Scaled(instances, warmUp, result));
        }

        Report build() {
            return new Report(profile, environment, Instant.now(), List.copyOf(comparison), async, ours, modulith, flashSale, flashSaleCapped, workerCap,
                    flashSaleWorkersPaused, flashSaleOtherClient, List.copyOf(sustained), brokerAlone, List.copyOf(scaled));
        }
    }
}
