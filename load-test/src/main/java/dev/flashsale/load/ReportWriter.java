package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import dev.flashsale.system.Service;

/**
 * Writes a {@link Report}: {@code index.html} (tables and charts, one file), {@code summary.md} (the same tables),
 * {@code summary.json} (the figures, for tools) and {@code samples.csv} (every queue sample), beside Gatling's own
 * reports in {@code gatling/}.
 */
final class ReportWriter {

    /** A table, written once and rendered as Markdown and as HTML. */
    record Table(String title, List<String> header, List<List<String>> rows) {

        String markdown() {
            StringBuilder md = new StringBuilder("### ").append(title).append("\n\n| ").append(String.join(" | ", header)).append(" |\n|");
            header.forEach(column -> md.append(" --- |"));
            rows.forEach(row -> md.append("\n| ").append(String.join(" | ", row)).append(" |"));
            return md.append("\n\n").toString();
        }

        String html() {
            StringBuilder html = new StringBuilder("<h3>").append(SvgChart.escape(title)).append("</h3><table><tr>");
            header.forEach(column -> html.append("<th>").append(SvgChart.escape(column)).append("</th>"));
            html.append("</tr>");
            rows.forEach(row -> {
                html.append("<tr>");
                row.forEach(cell -> html.append("<td>").append(SvgChart.escape(cell)).append("</td>"));
                html.append("</tr>");
            });
            return html.append("</table>").toString();
        }
    }

    private ReportWriter() {
    }

    static void write(Report report, Path directory) {
        List<Table> tables = new ArrayList<>(List.of(bars(report), modulith(report), streams(report), workers(report), express(report), costs(report),
                sustained(report), brokerAlone(report)));
        if (!report.scaled().isEmpty()) {
            tables.add(1, scaled(report));
        }
        String heading = "Benchmark (" + report.profile().name() + " profile), " + report.finishedAt();
        StringBuilder md = new StringBuilder("# ").append(heading).append("\n\n").append(machine(report)).append("\n\n");
        tables.forEach(table -> md.append(table.markdown()));
        StringBuilder html = new StringBuilder("<!doctype html><html><head><meta charset='utf-8'><title>").append(SvgChart.escape(heading))
                .append("</title><style>body{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse;margin-bottom:1.5em}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
                        + "td:first-child{text-align:left}</style></head><body><h1>")
                .append(SvgChart.escape(heading)).append("</h1><p>").append(SvgChart.escape(machine(report))).append("</p>");
        html.append(tables.get(0).html());
        charts(report).forEach(html::append);
        tables.subList(1, tables.size()).forEach(table -> html.append(table.html()));
        html.append("<p>Gatling's own report of each stream: <code>gatling/</code>. Every queue sample: <code>samples.csv</code>."
                + " PerfTest's output: <code>perftest.log</code>.</p></body></html>");
        try {
            Files.createDirectories(directory);
            Files.writeString(directory.resolve("summary.md"), md);
            Files.writeString(directory.resolve("index.html"), html);
            JsonHttp.JSON.writerWithDefaultPrettyPrinter().writeValue(directory.resolve("summary.json").toFile(), figures(report));
            Files.write(directory.resolve("samples.csv"), samples(report));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static String machine(Report report) {
        Map<String, String> env = report.environment();
        return "Machine: " + env.get("cpus") + " CPUs (" + env.get("cpu") + "), " + env.get("memory") + ", " + env.get("java") + ", "
                + env.get("os") + ". The broker, the four services and the load generator all ran on it. The services: "
                + env.get("services' JVM") + "." + (env.containsKey("warm-up until the JIT settled")
                        ? " Warm-up until the JIT settled: " + env.get("warm-up until the JIT settled") + "." : "")
                + (env.containsKey("warm-up of the Modulith peer until the JIT settled")
                        ? " The Modulith peer's: " + env.get("warm-up of the Modulith peer until the JIT settled") + "." : "");
    }

    /**
     * The report's own statement of the bars it holds the run to, each with its target and what was measured: the
     * checkout's latency, the flash sale's, the costs, and exactly-once.
     */
    private static Table bars(Report report) {
        List<List<String>> rows = new ArrayList<>();
        checkoutBars(report, rows);
        flashSaleBars(report, rows);
        systemBars(report, rows);
        return new Table("Against the bars", List.of("bar", "target", "measured", ""), rows);
    }

    /** The async checkout's tail, and the sync checkout's median against it. */
    private static void checkoutBars(Report report, List<List<String>> rows) {
        if (report.async() != null) {
            double p99 = report.async().latencyMillis().p99();
            rows.add(List.of("Async checkout p99 at " + rate(report.async()) + "/s", "< 10 ms", ms(p99) + " ms", verdict(p99 < 10)));
        }
        report.comparison().stream().filter(result -> result.stream().checkout() == LoadStream.Checkout.SYNC).findFirst()
                .ifPresent(sync -> rows.add(List.of("Sync checkout p50, costs x" + report.profile().comparison().costScale(),
                        "about " + ms(1150 * report.profile().comparison().costScale()) + " ms", ms(sync.latencyMillis().p50()) + " ms", "")));
        if (report.syncOverAsyncMedian() > 0) {
            rows.add(List.of("Sync p50 / async p50 at " + report.profile().comparisonRate() + "/s", ">= 200",
                    fixed(report.syncOverAsyncMedian()), verdict(report.syncOverAsyncMedian() >= 200)));
        }
    }

    /** The flash sale as it is, with the workers capped, with them paused, and from hey. */
    private static void flashSaleBars(Report report, List<List<String>> rows) {
        StreamResult sale = report.flashSale();
        if (sale != null) {
            rows.add(List.of("Flash sale " + sale.sent() + " requests at " + rate(sale) + "/s: failed / lost / duplicated", "0 / 0 / 0",
                    sale.failed() + " / " + sale.check().lost() + " / " + sale.check().duplicated(),
                    verdict(sale.failed() == 0 && sale.check().exactlyOnce())));
            rows.add(List.of("Flash sale checkout p99", "< 50 ms", ms(sale.latencyMillis().p99()) + " ms",
                    verdict(sale.latencyMillis().p99() < 50)));
            long drained = sale.queues().values().stream().mapToLong(StreamResult.QueueFigures::drainedAfterMillis).max().orElse(0);
            long deepest = sale.queues().values().stream().mapToLong(StreamResult.QueueFigures::maxReady).max().orElse(0);
            rows.add(List.of("Flash sale backlog absorbed and drained", "drains", "deepest " + deepest + ", empty "
                    + seconds(drained) + " s after the load", verdict(sale.check().exactlyOnce())));
        }
        StreamResult capped = report.flashSaleCapped();
        if (capped != null) {
            rows.add(List.of("Flash sale again, every worker capped at " + report.workerCap() + "/s: checkout p99", "< 50 ms",
                    ms(capped.latencyMillis().p99()) + " ms (uncapped: " + (sale == null ? "-" : ms(sale.latencyMillis().p99())) + " ms)",
                    verdict(capped.latencyMillis().p99() < 50)));
            rows.add(List.of("Capped: each backlog drains at the cap", "about " + report.workerCap() + "/s",
                    capped.samples().stream().map(QueueSampler.Sample::queue).distinct().sorted()
                            .map(queue -> queue.substring(0, queue.indexOf('.')) + " " + Math.round(drainRate(capped, queue)) + "/s")
                            .reduce((a, b) -> a + ", " + b).orElse("-"),
                    verdict(capped.check().exactlyOnce())));
        }
        otherFlashSaleBars(report, rows);
    }

    private static void otherFlashSaleBars(Report report, List<List<String>> rows) {
        StreamResult paused = report.flashSaleWorkersPaused();
        if (paused != null) {
            rows.add(List.of("Flash sale again, the workers paused during the load (the checkout, the broker and the load "
                    + "generator alone): checkout p99", "< 50 ms", ms(paused.latencyMillis().p99()) + " ms (p50 "
                    + ms(paused.latencyMillis().p50()) + ")", verdict(paused.latencyMillis().p99() < 50 && paused.check().exactlyOnce())));
        }
        StreamResult other = report.flashSaleOtherClient();
        if (other != null) {
            rows.add(List.of("Flash sale from hey (a connection per checkout): checkout p99, failed / lost / duplicated",
                    "< 50 ms, 0 / 0 / 0", ms(other.latencyMillis().p99()) + " ms (p50 " + ms(other.latencyMillis().p50()) + "), "
                            + other.failed() + " / " + other.check().lost() + " / " + other.check().duplicated(),
                    verdict(other.latencyMillis().p99() < 50 && other.failed() == 0 && other.check().exactlyOnce())));
        }
    }

    /** What an order costs, the whole system against the broker alone, and exactly-once over every stream. */
    private static void systemBars(Report report, List<List<String>> rows) {
        if (report.async() != null) {
            double cpu = report.async().systemCpuMillisPerOrder();
            rows.add(List.of("CPU per order at " + rate(report.async()) + "/s, the services and the broker together", "<= 1.0 ms",
                    fixed2(cpu) + " ms", verdict(cpu > 0 && cpu <= 1.0)));
        }
        if (report.brokerAlone() != null) {
            rows.add(List.of("Whole system sustained / broker alone", ">= 0.5", Math.round(report.sustainedRate()) + " / "
                    + Math.round(report.brokerAlone().sustained()) + " = " + String.format(Locale.ROOT, "%.3f", report.ratioToBroker()), verdict(report.ratioToBroker() >= 0.5)));
        }
        rows.add(List.of("Every accepted order applied exactly once, nothing refused applied", "lost 0, duplicated 0",
                "lost " + report.lost() + ", duplicated " + report.duplicated() + " (mails sent again after an unanswered send: "
                        + report.sentAgain() + ")", verdict(report.exactlyOnce())));
    }

    /**
     * The scaled stream on each system, side by side: the same load against one and two instances of every service, on
     * PostgreSQL; a service's costs are those of all its instances, and of the database backends serving them. The last
     * column is the last system's figure over the first's.
     */
    static Table scaled(Report report) {
        List<Report.Scaled> runs = report.scaled();
        List<String> header = new ArrayList<>(List.of("figure"));
        runs.forEach(run -> header.add(run.instances() + (run.instances() == 1 ? " instance" : " instances") + " of each service"));
        if (runs.size() > 1) {
            header.add(runs.get(runs.size() - 1).instances() + " / " + runs.get(0).instances());
        }
        List<List<String>> rows = new ArrayList<>();
        scaledFlow(runs, rows);
        scaledCosts(runs, rows);
        rows.add(figure("outbox rows relayed (a publish after the commit failed or was not made)", runs, result -> result.relayed(), ReportWriter::fixed));
        rows.add(text("lost / duplicated / failed", runs,
                run -> run.result().check().lost() + " / " + run.result().check().duplicated() + " / " + run.result().failed()));
        rows.add(text("warm-up", runs, Report.Scaled::warmUp));
        return new Table("Scaled: the same stream against one and two instances of every service, on PostgreSQL (a service's CPU: all its "
                + "instances)", header, rows);
    }

    /** The scaled stream's throughput, latencies, end-to-end delays and backlog, per system. */
    private static void scaledFlow(List<Report.Scaled> runs, List<List<String>> rows) {
        rows.add(text("stream", runs, run -> run.result().stream().name()));
        rows.add(figure("offered/s", runs, result -> result.offeredPerSecond(), ReportWriter::fixed));
        rows.add(figure("throughput: accepted/s", runs, StreamResult::acceptedPerSecond, ReportWriter::fixed));
        rows.add(figure("checkout p50 ms", runs, result -> result.latencyMillis().p50(), ReportWriter::ms));
        rows.add(figure("checkout p99 ms", runs, result -> result.latencyMillis().p99(), ReportWriter::ms));
        rows.add(figure("checkout p99.9 ms", runs, result -> result.latencyMillis().p999(), ReportWriter::ms));
        rows.add(figure("checkout max ms", runs, result -> result.latencyMillis().max(), ReportWriter::ms));
        rows.add(figure("end-to-end delay p50 ms (request to the worker's commit, slowest worker)", runs,
                result -> result.check().workers().stream().mapToDouble(worker -> worker.endToEndMillis().p50()).max().orElse(0), ReportWriter::ms));
        rows.add(figure("end-to-end delay p99 ms (slowest worker)", runs,
                result -> result.check().workers().stream().mapToDouble(worker -> worker.endToEndMillis().p99()).max().orElse(0), ReportWriter::ms));
        rows.add(figure("drain: the last worker's last commit after the load ended, s", runs,
                result -> result.check().workers().stream().mapToLong(ExactlyOnceCheck.WorkerResult::drainedAfterMillis).max().orElse(0) / 1000.0,
                ReportWriter::fixed2));
        rows.add(figure("deepest queue", runs,
                result -> result.queues().values().stream().mapToLong(StreamResult.QueueFigures::maxReady).max().orElse(0), ReportWriter::fixed));
    }

    /** What the scaled stream cost each system: CPU per order by process, cores, GC pauses, orders per transaction. */
    private static void scaledCosts(List<Report.Scaled> runs, List<List<String>> rows) {
        List<String> processes = runs.get(0).result().costs().keySet().stream().toList();
        for (String process : processes) {
            rows.add(figure("CPU ms per order: " + process + (ProcessCosts.ofTheSystem(process) ? "" : " (not in the sum)"), runs,
                    result -> cost(result, process).cpuMillisPerOrder(), ReportWriter::fixed2));
        }
        rows.add(figure("CPU ms per order: the system (services, their PostgreSQL backends, broker)", runs,
                StreamResult::systemCpuMillisPerOrder, ReportWriter::fixed2));
        rows.add(figure("of which the services' JIT compilers", runs, StreamResult::systemJitMillisPerOrder, ReportWriter::fixed2));
        rows.add(figure("cores busy, the system (from the first request until every worker had applied every order)", runs,
                result -> result.costs().entrySet().stream().filter(cost -> ProcessCosts.ofTheSystem(cost.getKey()))
                        .mapToDouble(cost -> cost.getValue().coresShare()).sum(), ReportWriter::fixed2));
        for (Service service : Service.SYSTEM) {
            rows.add(figure("GC pause ms in all: " + service.module(), runs, result -> cost(result, service.module()).gcPauseMillis(), ReportWriter::ms));
        }
        for (Service service : Service.SYSTEM) {
            rows.add(figure("orders per transaction: " + service.module() + (service == Service.ORDER_SERVICE ? " (group commit)" : " (batch)"),
                    runs, result -> cost(result, service.module()).meanGroup(), ReportWriter::fixed));
        }
    }

    private static ProcessCosts.Cost cost(StreamResult result, String process) {
        return result.costs().getOrDefault(process, new ProcessCosts.Cost(0, 0, 0, 0, 0, 0, 0, 0));
    }

    private static List<String> figure(String name, List<Report.Scaled> runs, java.util.function.ToDoubleFunction<StreamResult> value,
            java.util.function.DoubleFunction<String> format) {
        List<String> row = new ArrayList<>(List.of(name));
        runs.forEach(run -> row.add(format.apply(value.applyAsDouble(run.result()))));
        if (runs.size() > 1) {
            row.add(ratio(value.applyAsDouble(runs.get(runs.size() - 1).result()), value.applyAsDouble(runs.get(0).result())));
        }
        return row;
    }

    private static List<String> text(String name, List<Report.Scaled> runs, java.util.function.Function<Report.Scaled, String> value) {
        List<String> row = new ArrayList<>(List.of(name));
        runs.forEach(run -> row.add(value.apply(run)));
        if (runs.size() > 1) {
            row.add("");
        }
        return row;
    }

    private static Table streams(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (StreamResult result : report.streams()) {
            Percentiles latency = result.latencyMillis();
            rows.add(List.of(result.stream().name(), result.stream().checkout().name().toLowerCase(Locale.ROOT),
                    fixed(result.offeredPerSecond()), fixed(result.acceptedPerSecond()), String.valueOf(result.sent()),
                    String.valueOf(result.accepted()), String.valueOf(result.refused()), String.valueOf(result.failed()),
                    ms(latency.p50()), ms(latency.p90()), ms(latency.p99()), ms(latency.p999()), ms(latency.max()),
                    String.valueOf(result.check().lost()), String.valueOf(result.check().duplicated()),
                    String.valueOf(result.check().sentAgain()), String.valueOf(result.relayed()), count(result.listenOverflows())));
        }
        return new Table("Streams: checkout latency in ms (accepted orders)", List.of("stream", "checkout", "offered/s", "accepted/s",
                "sent", "accepted", "refused (invalid)", "failed", "p50", "p90", "p99", "p99.9", "max", "lost", "duplicated",
                "mails sent again after an unanswered send", "outbox rows relayed", "connections dropped by a full listen queue"), rows);
    }

    private static Table workers(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (StreamResult result : report.streams()) {
            for (ExactlyOnceCheck.WorkerResult worker : result.check().workers()) {
                StreamResult.QueueFigures queue = result.queues().get(queueOf(worker.worker()));
                Percentiles delay = worker.endToEndMillis();
                rows.add(List.of(result.stream().name(), worker.worker(), String.valueOf(worker.applied()), String.valueOf(worker.lost()),
                        String.valueOf(worker.duplicated()), String.valueOf(worker.sentAgain()), String.valueOf(worker.unexpected()),
                        ms(delay.p50()), ms(delay.p99()),
                        ms(delay.max()), queue == null ? "-" : String.valueOf(queue.maxReady()),
                        queue == null ? "-" : seconds(queue.drainedAfterMillis()), seconds(worker.drainedAfterMillis())));
            }
        }
        return new Table("Workers: end-to-end delay (checkout request to the worker's commit) in ms, backlog and drain",
                List.of("stream", "worker", "applied", "lost", "duplicated", "sent again after an unanswered send", "applied, never accepted",
                        "delay p50", "delay p99",
                        "delay max", "deepest queue", "queue empty after (s)", "last commit after (s)"), rows);
    }

    /**
     * The express orders of each stream that has some, against its normal ones, at each worker: the email worker
     * serves them from a queue of their own, the others in their turn.
     */
    private static Table express(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (StreamResult result : report.streams()) {
            for (ExactlyOnceCheck.WorkerResult worker : result.check().workers()) {
                Percentiles express = worker.expressEndToEndMillis();
                Percentiles normal = worker.endToEndMillis();
                if (express.count() > 0) {
                    rows.add(List.of(result.stream().name(), worker.worker(), String.valueOf(express.count()), ms(express.p50()),
                            ms(express.p99()), ms(express.max()), String.valueOf(normal.count()), ms(normal.p50()), ms(normal.p99()),
                            ms(normal.max()), ratio(normal.p50(), express.p50())));
                }
            }
        }
        return new Table("Express orders: end-to-end delay (checkout request to the worker's commit) in ms, against the normal ones",
                List.of("stream", "worker", "express orders", "express p50", "express p99", "express max", "normal orders",
                        "normal p50", "normal p99", "normal max", "normal p50 / express p50"), rows);
    }

    /**
     * Our checkout against the Spring Modulith peer: the same stream, one after the other, in the same system. The
     * checkout's own process, then the whole system (the peer's orders are applied by the same workers through the same
     * broker), and how many times the peer's figure is ours.
     */
    private static Table modulith(Report report) {
        List<List<String>> rows = new ArrayList<>();
        StreamResult ours = report.ours();
        StreamResult peer = report.modulith();
        if (ours != null && peer != null) {
            rows.add(peerRow("order-service (our outbox, group commit)", ours, Service.ORDER_SERVICE));
            rows.add(peerRow("modulith-checkout (Spring Modulith's registry)", peer, Service.MODULITH_CHECKOUT));
            ProcessCosts.Cost oursCost = ours.costs().get(Service.ORDER_SERVICE.module());
            ProcessCosts.Cost peerCost = peer.costs().get(Service.MODULITH_CHECKOUT.module());
            rows.add(List.of("Modulith over ours", ratio(peer.latencyMillis().p50(), ours.latencyMillis().p50()),
                    ratio(peer.latencyMillis().p99(), ours.latencyMillis().p99()),
                    oursCost == null || peerCost == null ? "-" : ratio(peerCost.cpuMillisPerOrder(), oursCost.cpuMillisPerOrder()),
                    ratio(peer.systemCpuMillisPerOrder(), ours.systemCpuMillisPerOrder()), "", ""));
        }
        return new Table("The checkout against Spring Modulith's (the same " + (ours == null ? "" : rate(ours) + "/s ")
                + "stream on each, same system, same run)", List.of("checkout", "p50 ms", "p99 ms", "its process: CPU ms per order",
                        "the system: CPU ms per order", "its GC pauses ms in all", "orders per transaction"), rows);
    }

    private static List<String> peerRow(String name, StreamResult result, Service checkout) {
        ProcessCosts.Cost cost = result.costs().get(checkout.module());
        return List.of(name, ms(result.latencyMillis().p50()), ms(result.latencyMillis().p99()), cost == null ? "-" : fixed2(cost.cpuMillisPerOrder()),
                fixed2(result.systemCpuMillisPerOrder()), cost == null ? "-" : ms(cost.gcPauseMillis()),
                cost == null || cost.meanGroup() == 0 ? "-" : fixed(cost.meanGroup()));
    }

    private static String ratio(double value, double base) {
        return base <= 0 ? "-" : "%.2f x".formatted(value / base);
    }

    private static Table costs(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (StreamResult result : report.streams()) {
            result.costs().forEach((process, cost) -> rows.add(List.of(result.stream().name(), process, fixed2(cost.cpuMillisPerOrder()),
                    fixed2(cost.jitMillisPerOrder()), fixed2(cost.coresShare()), String.valueOf(cost.gcPauses()), ms(cost.gcPauseMillis()), ms(cost.gcPauseMaxMillis()),
                    cost.meanGroup() == 0 ? "-" : fixed(cost.meanGroup()))));
            rows.add(List.of(result.stream().name(), "the system (services and broker)", fixed2(result.systemCpuMillisPerOrder()),
                    fixed2(result.systemJitMillisPerOrder()), "", "", "", "", ""));
        }
        return new Table("Costs per process, from a stream's first request until every worker had applied every order (CPU from "
                + "/proc; pauses and groups from each service's metrics)", List.of("stream", "process", "CPU ms per order",
                        "of which JIT compiling", "cores busy", "GC pauses", "GC pause ms in all", "GC pause max ms (recent)",
                        "orders per transaction (group commit, batch)"), rows);
    }

    private static Table sustained(Report report) {
        List<List<String>> rows = new ArrayList<>();
        for (StreamResult step : report.sustained()) {
            StringBuilder growth = new StringBuilder();
            step.queues().forEach((queue, figures) -> growth.append(growth.isEmpty() ? "" : ", ").append(fixed(figures.growthPerSecond())));
            rows.add(List.of(fixed(step.stream().rate()), fixed(step.acceptedPerSecond()), ms(step.latencyMillis().p99()),
                    growth.toString(), String.valueOf(step.failed()), Report.held(step) ? "held" : "not held"));
        }
        return new Table("Sustained steps (" + report.profile().sustainedStepDuration().toSeconds() + " s each): held = every order "
                + "accepted at the offered rate, p99 under 100 ms, and no queue growing", List.of("offered/s", "accepted/s", "p99 ms",
                        "queue growth msg/s (email, inventory, analytics)", "failed", ""), rows);
    }

    private static Table brokerAlone(Report report) {
        BrokerAlone.Result broker = report.brokerAlone();
        if (broker == null) {
            return new Table("The broker alone (PerfTest)", List.of("not measured"), List.of());
        }
        BrokerAlone.Setup setup = broker.setup();
        return new Table("The broker alone (RabbitMQ PerfTest): fanout to 3 quorum queues, persistent 512-byte messages, confirms",
                List.of("publish confirm window", "consumers per queue", "prefetch", "ack", "published/s (median)", "consumed/s, 3 queues (median)",
                        "sustained/s (median)"),
                List.of(List.of(String.valueOf(setup.confirmWindow()), String.valueOf(setup.consumersPerQueue()), String.valueOf(setup.prefetch()),
                        setup.multiAckEvery() > 1 ? "every " + setup.multiAckEvery() : "each message",
                        fixed(Percentiles.median(broker.publishedPerSecond())),
                        fixed(Percentiles.median(broker.consumedPerSecond())), fixed(broker.sustained()))));
    }

    private static List<String> charts(Report report) {
        List<String> charts = new ArrayList<>();
        Stream.concat(report.comparison().stream(), Stream.of(report.async(), report.flashSale(), report.flashSaleCapped(),
                report.flashSaleOtherClient()))
                .filter(result -> result != null)
                .forEach(result -> charts.add(depthChart("Queue depth: " + result.stream().name(), List.of(result))));
        if (!report.sustained().isEmpty()) {
            charts.add(depthChart("Queue depth through the sustained steps", report.sustained()));
            SvgChart rates = new SvgChart("Sustained steps: offered and accepted rate", "step", "orders/s");
            for (int i = 0; i < report.sustained().size(); i++) {
                StreamResult step = report.sustained().get(i);
                rates.point("offered", i + 1, step.offeredPerSecond()).point("accepted", i + 1, step.acceptedPerSecond());
            }
            charts.add(rates.render());
        }
        return charts;
    }

    /**
     * How fast a queue's backlog went down after its deepest point, in messages a second: from the last sample at its
     * deepest to the first empty one after it. 0 if it never held a backlog.
     */
    static double drainRate(StreamResult result, String queue) {
        List<QueueSampler.Sample> samples = result.samples().stream().filter(sample -> sample.queue().equals(queue)).toList();
        long deepest = samples.stream().mapToLong(QueueSampler.Sample::ready).max().orElse(0);
        if (deepest == 0) {
            return 0;
        }
        int peak = 0;
        for (int i = 0; i < samples.size(); i++) {
            if (samples.get(i).ready() == deepest) {
                peak = i;
            }
        }
        for (int i = peak + 1; i < samples.size(); i++) {
            if (samples.get(i).ready() == 0) {
                return deepest * 1000.0 / (samples.get(i).atMillis() - samples.get(peak).atMillis());
            }
        }
        return 0;
    }

    private static String depthChart(String title, List<StreamResult> results) {
        if (results.stream().flatMap(result -> result.samples().stream()).allMatch(sample -> sample.ready() == 0)) {
            return "<p><b>" + SvgChart.escape(title) + "</b>: every queue stayed empty (the workers kept up).</p>";
        }
        SvgChart chart = new SvgChart(title, "seconds", "ready messages");
        long origin = results.get(0).startedAtMillis();
        for (StreamResult result : results) {
            for (QueueSampler.Sample sample : result.samples()) {
                chart.point(sample.queue(), (sample.atMillis() - origin) / 1000.0, sample.ready());
            }
            chart.marker((result.loadEndedAtMillis() - origin) / 1000.0, results.size() == 1 ? "load ends" : "");
        }
        return "<div>" + chart.render() + "</div>";
    }

    private static Map<String, Object> figures(Report report) {
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("profile", report.profile().name());
        figures.put("finishedAt", report.finishedAt().toString());
        figures.put("environment", report.environment());
        figures.put("exactlyOnce", report.exactlyOnce());
        figures.put("lost", report.lost());
        figures.put("duplicated", report.duplicated());
        figures.put("mailsSentAgainAfterAnUnansweredSend", report.sentAgain());
        figures.put("syncOverAsyncMedian", report.syncOverAsyncMedian());
        figures.put("sustainedOrdersPerSecond", report.sustainedRate());
        figures.put("brokerAloneMessagesPerSecond", report.brokerAlone() == null ? null : report.brokerAlone().sustained());
        figures.put("ratioToBroker", report.ratioToBroker());
        figures.put("flashSaleWorkerCap", report.workerCap());
        figures.put("scaled", report.scaled().stream().map(run -> Map.of("instances", run.instances(), "stream", run.result().stream().name(),
                "warmUp", run.warmUp(), "systemCpuMillisPerOrder", run.result().systemCpuMillisPerOrder())).toList());
        figures.put("streams", report.streams().stream().map(ReportWriter::figures).toList());
        return figures;
    }

    /** One stream's figures, as summary.json lists them. */
    private static Map<String, Object> figures(StreamResult result) {
        Map<String, Object> stream = new LinkedHashMap<>();
        stream.put("name", result.stream().name());
        stream.put("checkout", result.stream().checkout());
        stream.put("rate", result.stream().rate());
        stream.put("seconds", result.stream().duration().toMillis() / 1000.0);
        stream.put("sent", result.sent());
        stream.put("accepted", result.accepted());
        stream.put("refused", result.refused());
        stream.put("failed", result.failed());
        stream.put("acceptedPerSecond", result.acceptedPerSecond());
        stream.put("latencyMillis", result.latencyMillis());
        stream.put("outboxRowsRelayed", result.relayed());
        stream.put("listenOverflows", result.listenOverflows());
        stream.put("systemCpuMillisPerOrder", result.systemCpuMillisPerOrder());
        stream.put("costs", result.costs());
        stream.put("mailsSentAgainAfterAnUnansweredSend", result.check().sentAgain());
        stream.put("queues", result.queues());
        stream.put("workers", result.check().workers());
        stream.put("problems", result.check().problems());
        stream.put("held", Report.held(result));
        return stream;
    }

    private static List<String> samples(Report report) {
        List<String> lines = new ArrayList<>(List.of("stream,atMillis,queue,ready,unacknowledged,publishRate,ackRate,applied"));
        for (StreamResult result : report.streams()) {
            for (QueueSampler.Sample sample : result.samples()) {
                lines.add(String.join(",", result.stream().name(), String.valueOf(sample.atMillis()), sample.queue(),
                        String.valueOf(sample.ready()), String.valueOf(sample.unacknowledged()), fixed(sample.publishRate()),
                        fixed(sample.ackRate()), String.valueOf(sample.applied())));
            }
        }
        return lines;
    }

    private static String queueOf(String worker) {
        return worker.replace("-worker", "") + ".order-placed";
    }

    private static String rate(StreamResult result) {
        return String.valueOf(Math.round(result.stream().rate()));
    }

    private static String ms(double value) {
        return Percentiles.fmt(value);
    }

    /** A count, or "-" where it is not known (-1). */
    private static String count(long value) {
        return value < 0 ? "-" : String.valueOf(value);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.1f", millis / 1000.0);
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
    }

    private static String fixed2(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }
}
