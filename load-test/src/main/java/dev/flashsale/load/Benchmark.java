package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.PostgresDatabases;
import dev.flashsale.system.Service;
import dev.flashsale.system.ServiceProcess;
import dev.flashsale.testsupport.RabbitManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The benchmark, from start to report: it starts the whole system from the built jars against the broker on this
 * machine (in a virtual host of its own) and an SMTP server of its own, and runs
 * <ol>
 * <li>the synchronous against the asynchronous checkout at the same offered rate, with the classic simulated
 * downstream costs;</li>
 * <li>the asynchronous checkout at the rate of its latency bar (BENCHMARKS.md), then the flash sale, then sustained steps of growing rate
 * until the workers no longer keep up, all without simulated costs;</li>
 * <li>the broker alone on the same topology (RabbitMQ PerfTest), once the system is stopped;</li>
 * </ol>
 * checking after each stream that every accepted order was applied exactly once by every worker. It writes a
 * report (HTML with charts, Markdown and JSON) and fails if any order was lost or applied twice.
 *
 * <pre>
 * java -cp "load-test/target/load-test-0.1.0-SNAPSHOT.jar:load-test/target/lib/*" dev.flashsale.load.Benchmark full
 * </pre>
 */
public final class Benchmark {

    private static final Logger log = LoggerFactory.getLogger(Benchmark.class);

    /** The share of the flash sale's valid orders placed as express orders. */
    static final double EXPRESS_SHARE = 0.01;

    private final Profile profile;
    private final Path repository;
    private final Path output;
    private final BrokerEndpoint broker = BrokerEndpoint.fromEnvironment();
    private final RabbitManagement management = broker.management();
    private final ServiceJvm jvm = ServiceJvm.chosen();

    Benchmark(Profile profile, Path repository, Path output) {
        this.profile = profile;
        this.repository = repository;
        this.output = output;
    }

    public static void main(String[] args) {
        Profile profile = Profile.named(args.length > 0 ? args[0] : "full");
        Path repository = Path.of(System.getProperty("flashsale.repository", ".")).toAbsolutePath().normalize();
        Path output = args.length > 1 ? Path.of(args[1])
                : repository.resolve("load-test/target/benchmark")
                        .resolve(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()));
        Report report;
        try {
            report = new Benchmark(profile, repository, output).run();
        }
        catch (RuntimeException | Error ex) {
            // Exit, not just end the main thread: threads left behind (an SMTP server's, the load generator's) kept a failed
            // run's JVM alive for an hour, and with it the shutdown hooks that would have dropped its databases.
            log.error("The benchmark failed", ex);
            System.exit(2);
            return;
        }
        if (!report.scaled().isEmpty()) {
            System.out.println();
            System.out.println(ReportWriter.scaled(report).markdown());
        }
        log.info("Report: {}", output.resolve("index.html"));
        System.exit(report.exactlyOnce() ? 0 : 1);
    }

    /** Runs every part and writes the report; never leaves a process or a virtual host behind. */
    Report run() {
        if (!management.answers()) {
            throw new IllegalStateException("No RabbitMQ management API at " + broker.managementUrl()
                    + ": start RabbitMQ (rabbitmq-server -detached) and enable the plugin (rabbitmq-plugins enable rabbitmq_management)");
        }
        createDirectories(output);
        String virtualHost = "flashsale-benchmark-" + System.currentTimeMillis();
        management.createVirtualHost(virtualHost, broker.username());
        Report.Builder report = Report.builder(profile, Environment.describe(jvm));
        try (Mailbox mailbox = new Mailbox()) {
            if (profile.scaled() != null) {
                scaled(report, virtualHost, mailbox);
                return finish(report);
            }
            systemStreams(report, virtualHost, mailbox);
            Profile.Setting throughput = profile.throughput();
            report.brokerAlone(BrokerAlone.measure(broker, management, new BrokerAlone.Setup(profile.brokerAlone(),
                    RunningSystem.CONFIRM_WINDOW, throughput.consumers(), RunningSystem.PREFETCH, RunningSystem.BATCH), output));
        }
        finally {
            management.deleteVirtualHost(virtualHost);
        }
        return finish(report);
    }

    /**
     * The streams through the whole system: sync against async on the comparison's setting, then the throughput
     * streams, on the same system when both settings are one, else on a second one started for them.
     */
    private void systemStreams(Report.Builder report, String virtualHost, Mailbox mailbox) {
        boolean oneSystem = profile.throughput().equals(profile.comparison());
        try (RunningSystem system = start(profile.comparison(), virtualHost, mailbox, oneSystem)) {
            // With the classic costs the workers drain a few hundred orders a second: no bigger backlog than that.
            warmUp(system, Math.min(profile.asyncRate(), 100));
            report.comparison(stream(system, new LoadStream("sync", LoadStream.Checkout.SYNC, profile.comparisonRate(),
                    profile.comparisonDuration(), 0)));
            report.comparison(stream(system, new LoadStream("async", LoadStream.Checkout.ASYNC, profile.comparisonRate(),
                    profile.comparisonDuration(), 0)));
            if (oneSystem) {
                throughput(system, report);
            }
        }
        if (!oneSystem) {
            try (RunningSystem system = start(profile.throughput(), virtualHost, mailbox, true)) {
                warmUp(system, profile.asyncRate());
                throughput(system, report);
            }
        }
    }

    private Report finish(Report.Builder report) {
        Report built = report.build();
        ReportWriter.write(built, output);
        return built;
    }

    /**
     * The scaled stream: the same fixed-rate load against one instance of every service, then against two (as the
     * profile lists them), each system on PostgreSQL databases of its own, created for it and dropped after it, also when
     * it fails or the run is interrupted. The checkout's orders go to its instances in turn; every worker's processes
     * consume from the same queue and share its database, so the exactly-once check reads any of them for all, and the
     * costs add up every process of a service.
     */
    private void scaled(Report.Builder report, String virtualHost, Mailbox mailbox) {
        Profile.Scaled scaled = profile.scaled();
        long rate = Math.round(scaled.rate());
        for (int instances : scaled.instances()) {
            awaitRoomOnTheDatabaseServer(instances * Service.SYSTEM.size() * SCALED_POOL_SIZE);
            PostgresDatabases databases = createDatabases();
            Thread dropOnExit = new Thread(() -> drop(databases), "drop-benchmark-databases");
            Runtime.getRuntime().addShutdownHook(dropOnExit);
            try (RunningSystem system = start(profile.throughput(), virtualHost, mailbox, false, builder -> {
                databases.configure(builder);
                Service.SYSTEM.forEach(service -> builder.instances(service, instances));
                // Eight JVMs and their pools on one PostgreSQL server of 100 connections, shared with the tests (the
                // PostgreSQL system tests' eight JVMs hold 80): SCALED_POOL_SIZE each, the default being 10, in both
                // systems alike.
                builder.property("spring.datasource.hikari.maximum-pool-size", String.valueOf(SCALED_POOL_SIZE));
                builder.startTimeout(Duration.ofMinutes(5));
            }, databases.names())) {
                String name = "scaled-" + instances + "x";
                stream(system, new LoadStream(name + "-warm-up", LoadStream.Checkout.ASYNC, scaled.rate(), profile.warmUp(), 0.05, true));
                String warmUp = settleUntilCompiled(system, name + "-warm-up-jit-", LoadStream.Checkout.ASYNC, scaled.rate());
                StreamResult result = stream(system, new LoadStream(name + "-" + rate, LoadStream.Checkout.ASYNC, scaled.rate(),
                        scaled.duration(), 0));
                report.scaled(instances, warmUp, result);
            }
            finally {
                drop(databases);
                try {
                    Runtime.getRuntime().removeShutdownHook(dropOnExit);
                }
                catch (IllegalStateException ex) {
                    // the JVM is shutting down: the hook drops them (again, which does nothing)
                }
            }
        }
    }

    /**
     * The scaled systems' connection pool, per process (Hikari keeps it full): the checkout's writer commits on one
     * connection, its outbox tasks take one each now and then, a worker's two consumers one each.
     */
    static final int SCALED_POOL_SIZE = 4;

    /**
     * Waits (up to ten minutes) until the PostgreSQL server can take the system's connections and a few more: it is
     * shared with the tests of other runs, and a system that finds it full does not start.
     */
    private static void awaitRoomOnTheDatabaseServer(int connections) {
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        int free = PostgresDatabases.freeConnections();
        while (free < connections + 4 && System.nanoTime() < deadline) {
            log.info("The PostgreSQL server takes {} more connections, the system needs {}: waiting", free, connections);
            try {
                Thread.sleep(5_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
            free = PostgresDatabases.freeConnections();
        }
    }

    private static PostgresDatabases createDatabases() {
        try {
            return PostgresDatabases.create("flashsale_benchmark");
        }
        catch (SQLException ex) {
            throw new IllegalStateException("The scaled benchmark needs PostgreSQL: " + ex.getMessage(), ex);
        }
    }

    private static void drop(PostgresDatabases databases) {
        try {
            databases.close();
        }
        catch (SQLException ex) {
            log.error("Could not drop the benchmark's databases {}: drop them by hand", databases.names(), ex);
        }
    }

    private void throughput(RunningSystem system, Report.Builder report) {
        settle(system, report, LoadStream.Checkout.ASYNC, profile.asyncRate());
        report.async(stream(system, new LoadStream("async-" + Math.round(profile.asyncRate()), LoadStream.Checkout.ASYNC,
                profile.asyncRate(), profile.asyncDuration(), 0)));
        peerComparison(system, report);
        flashSales(system, report);
        sustained(system, report);
    }

    /**
     * The same stream on each checkout, ours then the Spring Modulith peer's (warmed the same way), at a rate the peer
     * can carry: what the usual outbox costs in the same system.
     */
    private void peerComparison(RunningSystem system, Report.Builder report) {
        settle(system, report, LoadStream.Checkout.MODULITH, profile.peerRate());
        long peerRate = Math.round(profile.peerRate());
        report.peerComparison(stream(system, new LoadStream("order-service-" + peerRate, LoadStream.Checkout.ASYNC, profile.peerRate(),
                        profile.asyncDuration(), 0)),
                stream(system, new LoadStream("modulith-" + peerRate, LoadStream.Checkout.MODULITH, profile.peerRate(),
                        profile.asyncDuration(), 0)));
    }

    /** The flash sale four ways: as it is, with the workers capped, with them paused, and from a second client. */
    private void flashSales(RunningSystem system, Report.Builder report) {
        collectGarbage(system);
        // One order in a hundred is an express order: its mail should not wait behind the email queue's backlog.
        report.flashSale(stream(system, flashSale("flash-sale").withExpressShare(EXPRESS_SHARE)));
        // The same sale with every worker capped below the spike: the backlog rises, then drains in a straight line.
        collectGarbage(system);
        system.workers().capAll(profile.flashSaleCap());
        try {
            report.flashSaleCapped(stream(system, flashSale("flash-sale-capped-" + profile.flashSaleCap())), profile.flashSaleCap());
        }
        finally {
            system.workers().uncapAll();
        }
        // Once more with the workers paused during the load: the checkout's part alone (HTTP, commit, publish, the broker
        // taking the messages, the load generator), in the same run. What the workers cost cannot be in its tail.
        collectGarbage(system);
        system.workers().pauseAll();
        try {
            report.flashSaleWorkersPaused(stream(system, flashSale("flash-sale-workers-paused"), () -> system.workers().resumeAll()));
        }
        finally {
            system.workers().resumeAll();
        }
        Hey.installed().ifPresentOrElse(hey -> {
            collectGarbage(system);
            try {
                report.flashSaleOtherClient(heyFlashSale(system, hey));
            }
            catch (RuntimeException ex) {
                // The rest of the run is still worth its report; the short benchmark's test fails on the missing stream.
                log.error("The flash sale from hey failed; the report goes without it", ex);
            }
        }, () -> log.warn("hey is not installed (Debian: hey): the flash sale is not driven by a second client"));
    }

    /** Steps of rising sustained load, until one is not held. */
    private void sustained(RunningSystem system, Report.Builder report) {
        for (int step = 0; step < profile.sustainedSteps(); step++) {
            double rate = profile.sustainedFrom() + step * profile.sustainedStep();
            StreamResult result = stream(system, new LoadStream("sustained-" + Math.round(rate), LoadStream.Checkout.ASYNC, rate,
                    profile.sustainedStepDuration(), 0));
            boolean held = Report.held(result);
            report.sustained(result);
            log.info("Sustained {} orders/s: {}", Math.round(rate), held ? "held" : "not held");
            if (!held) {
                break;
            }
        }
    }

    /**
     * A full collection in every service before a flash sale ({@code jcmd <pid> GC.run}), so that both sales start from
     * the same heap: without it the second met the first one's garbage, and its checkout tail was the first sale's
     * pauses as much as its own (BENCHMARKS.md, second round). Where jcmd cannot run, the sale starts as the heap is.
     */
    private void collectGarbage(RunningSystem system) {
        for (ServiceProcess service : processes(system)) {
            try {
                if (!jcmd(service, ProcessBuilder.Redirect.DISCARD, "GC.run")) {
                    log.warn("jcmd GC.run did not succeed for {}; the flash sale starts with its heap as it is", service);
                }
            }
            catch (IOException ex) {
                log.warn("Cannot run jcmd ({}); the flash sale starts with the heaps as they are", ex.toString());
                return;
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private LoadStream flashSale(String name) {
        return new LoadStream(name, LoadStream.Checkout.ASYNC, profile.flashSaleRate(),
                Duration.ofMillis(Math.round(profile.flashSaleOrders() * 1000 / profile.flashSaleRate())), profile.invalidShare());
    }

    /** Starts a system; the one that runs the throughput parts has the Modulith peer beside the order-service. */
    private RunningSystem start(Profile.Setting setting, String virtualHost, Mailbox mailbox, boolean modulithPeer) {
        return RunningSystem.start(repository, broker, management, virtualHost, mailbox, setting, jvm, output, modulithPeer);
    }

    private RunningSystem start(Profile.Setting setting, String virtualHost, Mailbox mailbox, boolean modulithPeer,
            Consumer<FlashSaleSystem.Builder> more, Map<Service, String> databases) {
        return RunningSystem.start(repository, broker, management, virtualHost, mailbox, setting, jvm, output, modulithPeer, more, databases);
    }

    /**
     * Load that is checked but not reported: the JIT compilers of five JVMs on two cores need a minute or more before
     * the code the measured streams run is compiled; until then their compile threads take much of the CPU. The rate
     * ramps up from one a second, so that cold JVMs are never offered more than they can take while they compile.
     */
    private void warmUp(RunningSystem system, double asyncRate) {
        stream(system, new LoadStream("warm-up-async", LoadStream.Checkout.ASYNC, asyncRate, profile.warmUp(), 0.05, true));
        stream(system, new LoadStream("warm-up-sync", LoadStream.Checkout.SYNC, profile.comparisonRate(),
                Duration.ofMillis(profile.warmUp().toMillis() / 3), 0.05));
    }

    /**
     * More load at the async rate, a slice at a time, until the services' JIT compilers are done: on two cores, four JVMs
     * compile the same Spring, Jackson, H2 and AMQP code for minutes, and a stream measured meanwhile measures the
     * compilers as much as the system. Done is measured, not assumed: the compiler threads' CPU time from {@code /proc}.
     * The report says how many slices it took, and each stream's JIT share stays in its costs. The Modulith peer gets
     * the same treatment before its stream, so that both checkouts are measured compiled.
     */
    private void settle(RunningSystem system, Report.Builder report, LoadStream.Checkout checkout, double rate) {
        String name = checkout == LoadStream.Checkout.MODULITH ? "warm-up-jit-modulith-" : "warm-up-jit-";
        report.environment(checkout == LoadStream.Checkout.MODULITH ? "warm-up of the Modulith peer until the JIT settled"
                : "warm-up until the JIT settled", settleUntilCompiled(system, name, checkout, rate));
    }

    /** The slices of {@link #settle}, each stream named {@code name} and its number; what they took, for the report. */
    private String settleUntilCompiled(RunningSystem system, String name, LoadStream.Checkout checkout, double rate) {
        long started = System.nanoTime();
        double jitCores = Double.NaN;
        int slice = 0;
        while (slice < profile.settleSlices()) {
            slice++;
            StreamResult result = stream(system, new LoadStream(name + slice, checkout, rate, profile.settleSlice(), 0));
            jitCores = result.systemJitCores();
            log.info("Warm-up slice {}: the services' JIT compilers used {} cores", slice, "%.3f".formatted(jitCores));
            if (jitCores < Profile.JIT_SETTLED_CORES) {
                break;
            }
        }
        return slice == 0 ? "none" : "%d slices of %d s at %s/s (%d s in all); the services' JIT compilers used %.3f cores in the last, the bar %.2f"
                .formatted(slice, profile.settleSlice().toSeconds(), Math.round(rate), (System.nanoTime() - started) / 1_000_000_000L,
                        jitCores, Profile.JIT_SETTLED_CORES);
    }

    /** Runs one stream, waits for the workers to catch up, and accounts for every order. */
    private StreamResult stream(RunningSystem system, LoadStream stream) {
        return stream(system, stream, () -> { });
    }

    /** The same, doing {@code afterLoad} once the load has ended, before the workers are waited for. */
    private StreamResult stream(RunningSystem system, LoadStream stream, Runnable afterLoad) {
        try {
            return measure(system, stream, afterLoad);
        }
        catch (RuntimeException ex) {
            // A service that stops answering is found out here; what its threads were doing goes with the report.
            dumpThreads(system, stream.name());
            throw ex;
        }
    }

    /**
     * Every service's threads into the report's directory, as far as jcmd can: {@code Thread.print} for the platform
     * threads and their locks, and on JDK 21 and newer {@code Thread.dump_to_file}, which also lists the virtual threads
     * (the services' HTTP requests and listeners run on them).
     */
    private void dumpThreads(RunningSystem system, String when) {
        for (ServiceProcess service : processes(system)) {
            // The first instance as <module>, the others <module>-2, ..., as their logs are named.
            List<ServiceProcess> instances = system.system().processes(service.service());
            String name = service.service().module() + (instances.indexOf(service) == 0 ? "" : "-" + (instances.indexOf(service) + 1));
            Path dump = output.resolve("threads-" + name + "-" + when + ".txt");
            Path virtual = output.resolve("threads-" + name + "-" + when + "-all.txt").toAbsolutePath();
            try {
                jcmd(service, ProcessBuilder.Redirect.to(dump.toFile()), "Thread.print");
                if (jvm.feature() >= 21) {
                    jcmd(service, ProcessBuilder.Redirect.DISCARD, "Thread.dump_to_file", "-format=text", virtual.toString());
                }
                log.warn("Threads of {} written to {}", name, dump);
            }
            catch (IOException | RuntimeException ex) {
                log.warn("Could not dump the threads of {}: {}", name, ex.toString());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Every process of every service of the system. */
    private static List<ServiceProcess> processes(RunningSystem system) {
        return system.system().services().stream().flatMap(service -> system.system().processes(service).stream()).toList();
    }

    /** Runs the services' JDK's jcmd on one service process's JVM (30 s at most); true if it succeeded. */
    private boolean jcmd(ServiceProcess service, ProcessBuilder.Redirect output, String... command)
            throws IOException, InterruptedException {
        List<String> arguments = new ArrayList<>(List.of(jvm.javaHome().resolve("bin/jcmd").toString(),
                String.valueOf(service.pid())));
        arguments.addAll(List.of(command));
        Process process = new ProcessBuilder(arguments).redirectErrorStream(true).redirectOutput(output).start();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroy();
            return false;
        }
        return process.exitValue() == 0;
    }

    private StreamResult measure(RunningSystem system, LoadStream stream, Runnable afterLoad) {
        log.info("Stream {}: {} checkouts/s for {} s on the {} checkout", stream.name(), stream.rate(),
                stream.duration().toSeconds(), stream.checkout());
        Start start = Start.of(system);
        long startedAt = start.at();
        // Every instance of the checkout, in turn (one, unless the system was started with more).
        List<String> checkouts = system.system().processes(stream.checkout().service()).stream()
                .map(process -> process.baseUri().toString()).toList();
        RequestLog requests = GatlingLauncher.run(stream, checkouts, output.resolve("gatling"));
        Instant loadEnded = Instant.now();
        long loadEndedAt = system.sampler().now();
        long overflows = ListenQueue.between(start.listenOverflows(), ListenQueue.overflows());
        afterLoad.run();
        Answers answers = Answers.of(Reoffer.unanswered(requests.entries(),
                system.system().uri(stream.checkout().service()).resolve(stream.checkout().path())));
        ExactlyOnceCheck.Result check = system.check().verify(answers.accepted(), start.applied(), loadEnded, profile.patience());
        long checkedAt = system.sampler().now();
        // From the first request until every worker had applied every order: the draining is part of an order's cost.
        Map<String, ProcessCosts.Cost> costs = ProcessCosts.between(start.costs(), ProcessCosts.read(system.system(), system.databases()),
                answers.accepted().size(), (checkedAt - startedAt) / 1000.0);
        List<QueueSampler.Sample> samples = system.sampler().between(startedAt, checkedAt);
        double seconds = stream.duration().toMillis() / 1000.0;
        StreamResult result = new StreamResult(stream, answers.sent(), answers.accepted().size(), answers.refused(), answers.failed(),
                answers.sent() / seconds, answers.accepted().size() / seconds, Percentiles.of(answers.latencies()),
                QueueFigures.of(samples, startedAt, loadEndedAt), check, relayed(system) - start.relayed(), overflows, costs, samples,
                startedAt, loadEndedAt);
        logStream(result, overflows);
        return result;
    }

    private static void logStream(StreamResult result, long overflows) {
        log.info("Stream {}: {} sent, {} accepted, {} refused, {} failed; latency ms {}; lost {}, duplicated {}; outbox rows relayed {}; "
                        + "connections dropped by a full listen queue {}; CPU ms per order, the system's processes together: {}",
                result.stream().name(), result.sent(), result.accepted(), result.refused(), result.failed(), result.latencyMillis(),
                result.check().lost(), result.check().duplicated(), result.relayed(), overflows,
                "%.2f".formatted(result.systemCpuMillisPerOrder()));
    }

    /**
     * A stream's answers, tallied.
     *
     * @param sent requests sent
     * @param accepted the orders the checkout accepted, for the exactly-once check
     * @param latencies of the accepted orders answered the first time they were offered
     * @param refused invalid orders refused with a 400, as they should be
     * @param failed refused when it should have been accepted (or the reverse), or not answered in time (even if its
     *        order was placed, as offering it again showed)
     */
    private record Answers(long sent, Map<UUID, ExactlyOnceCheck.Accepted> accepted, List<Long> latencies, long refused, long failed) {

        static Answers of(List<RequestLog.Entry> entries) {
            Map<UUID, ExactlyOnceCheck.Accepted> accepted = new HashMap<>();
            List<Long> latencies = new ArrayList<>();
            long refused = 0;
            long failed = 0;
            for (RequestLog.Entry entry : entries) {
                if (entry.orderId() != null) {
                    accepted.put(entry.orderId(), new ExactlyOnceCheck.Accepted(entry.sentAt(), entry.units(), entry.express()));
                }
                if (entry.orderId() != null && !entry.reoffered()) {
                    latencies.add((long) entry.latencyMillis());
                }
                else if (!entry.valid() && entry.status() == 400) {
                    refused++;
                }
                else {
                    failed++;
                }
            }
            return new Answers(entries.size(), accepted, latencies, refused, failed);
        }
    }

    /**
     * The flash sale once more, from hey instead of Gatling (a new connection per checkout). Its CSV has each
     * request's status and time but not the order ids: those come from the email worker's dedup table, and the
     * exactly-once check then holds the other workers and every effect to them; their number must be the number of
     * 202s. The end-to-end delays of this stream count from the start of the load.
     */
    private StreamResult heyFlashSale(RunningSystem system, Path hey) {
        int orders = profile.flashSaleOrders();
        int rate = (int) Math.round(profile.flashSaleRate());
        LoadStream stream = new LoadStream("flash-sale-hey", LoadStream.Checkout.ASYNC, rate,
                Duration.ofMillis(Math.round(orders * 1000.0 / rate)), 0);
        log.info("Stream {}: {} checkouts at {}/s from hey", stream.name(), orders, rate);
        Start start = Start.of(system);
        long startedAt = start.at();
        Hey.Run run = Hey.run(hey, system.system().uri(Service.ORDER_SERVICE), orders, rate, output.resolve("hey"));
        Instant loadEnded = Instant.now();
        long loadEndedAt = system.sampler().now();
        long overflows = ListenQueue.between(start.listenOverflows(), ListenQueue.overflows());
        long accepted202 = run.accepted();
        ExactlyOnceCheck.Result check = heyCheck(system, start.applied(), run, loadEnded);
        long checkedAt = system.sampler().now();
        Map<String, ProcessCosts.Cost> costs = ProcessCosts.between(start.costs(), ProcessCosts.read(system.system(), system.databases()), accepted202,
                (checkedAt - startedAt) / 1000.0);
        List<QueueSampler.Sample> samples = system.sampler().between(startedAt, checkedAt);
        double seconds = (run.endedAtMillis() - run.startedAtMillis()) / 1000.0;
        StreamResult result = new StreamResult(stream, orders, accepted202, 0, orders - accepted202, orders / seconds,
                accepted202 / seconds, Percentiles.of(run.acceptedLatencyMillis()), QueueFigures.of(samples, startedAt, loadEndedAt), check,
                relayed(system) - start.relayed(), overflows, costs, samples, startedAt, loadEndedAt);
        logStream(result, overflows);
        return result;
    }

    /**
     * The exactly-once check of hey's stream: the accepted orders are those the email worker applied since the stream
     * began, and their number must be the number of 202s hey saw.
     */
    private ExactlyOnceCheck.Result heyCheck(RunningSystem system, ExactlyOnceCheck.Baseline before, Hey.Run run, Instant loadEnded) {
        long accepted202 = run.accepted();
        Map<UUID, ExactlyOnceCheck.Accepted> accepted = new HashMap<>();
        for (UUID id : system.check().appliedSince(before, Service.EMAIL_WORKER, (int) accepted202, profile.patience())) {
            accepted.put(id, new ExactlyOnceCheck.Accepted(run.startedAtMillis(), Map.of(Hey.SKU, Hey.UNITS), false));
        }
        ExactlyOnceCheck.Result check = system.check().verify(accepted, before, loadEnded, profile.patience());
        if (accepted.size() == accepted202) {
            return check;
        }
        List<String> problems = new ArrayList<>(check.problems());
        problems.add("hey saw " + accepted202 + " checkouts answered 202, the email worker applied " + accepted.size());
        return new ExactlyOnceCheck.Result(check.accepted(), check.workers(), problems);
    }

    /**
     * What the system had counted when a stream started; the stream's figures are the differences from it.
     *
     * @param applied every worker's applied orders, for the exactly-once check
     * @param relayed outbox rows the relay had sent
     * @param listenOverflows connections the kernel had dropped on a full listen queue
     * @param costs every process's CPU time, pauses and groups
     * @param at the sampler's clock
     */
    private record Start(ExactlyOnceCheck.Baseline applied, long relayed, long listenOverflows, Map<String, ProcessCosts.Reading> costs,
            long at) {

        static Start of(RunningSystem system) {
            return new Start(system.check().baseline(), Benchmark.relayed(system), ListenQueue.overflows(), ProcessCosts.read(system.system(), system.databases()),
                    system.sampler().now());
        }
    }

    /** Outbox rows the order-service's relays have sent since they started, every instance's. */
    private static long relayed(RunningSystem system) {
        return system.system().processes(Service.ORDER_SERVICE).stream()
                .mapToLong(process -> Math.round(JsonHttp.get(process.baseUri().resolve("/actuator/metrics/flashsale.outbox.relayed"))
                        .path("measurements").path(0).path("value").asDouble()))
                .sum();
    }

    private static void createDirectories(Path path) {
        try {
            Files.createDirectories(path);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The figures of each queue during a stream, from the samples. */
    static final class QueueFigures {

        private QueueFigures() {
        }

        static Map<String, StreamResult.QueueFigures> of(List<QueueSampler.Sample> samples, long startedAt, long loadEndedAt) {
            Map<String, List<QueueSampler.Sample>> byQueue = new LinkedHashMap<>();
            samples.forEach(sample -> byQueue.computeIfAbsent(sample.queue(), queue -> new ArrayList<>()).add(sample));
            Map<String, StreamResult.QueueFigures> figures = new LinkedHashMap<>();
            byQueue.forEach((queue, series) -> {
                long max = series.stream().mapToLong(QueueSampler.Sample::ready).max().orElse(0);
                long drainedAt = series.stream().filter(sample -> sample.atMillis() >= loadEndedAt && sample.ready() == 0)
                        .mapToLong(QueueSampler.Sample::atMillis).findFirst().orElse(loadEndedAt);
                long secondHalf = startedAt + (loadEndedAt - startedAt) / 2;
                double growth = slopePerSecond(series.stream().filter(sample -> sample.atMillis() >= secondHalf
                        && sample.atMillis() <= loadEndedAt).toList());
                figures.put(queue, new StreamResult.QueueFigures(max, max == 0 ? 0 : drainedAt - loadEndedAt, growth));
            });
            return figures;
        }

        /** The least-squares slope of the ready count over time, in messages per second. */
        static double slopePerSecond(List<QueueSampler.Sample> series) {
            int n = series.size();
            if (n < 3) {
                return 0;
            }
            double meanT = series.stream().mapToDouble(sample -> sample.atMillis() / 1000.0).average().orElse(0);
            double meanY = series.stream().mapToDouble(QueueSampler.Sample::ready).average().orElse(0);
            double covariance = 0;
            double variance = 0;
            for (QueueSampler.Sample sample : series) {
                double t = sample.atMillis() / 1000.0 - meanT;
                covariance += t * (sample.ready() - meanY);
                variance += t * t;
            }
            return variance == 0 ? 0 : covariance / variance;
        }
    }
}
