package dev.flashsale.load;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.Service;
import dev.flashsale.system.ServiceProcess;

/**
 * What each process of the system spent during a stream: CPU time, read by the benchmark from {@code /proc/<pid>/stat}
 * (as {@code top} does, so it counts every thread: the JIT compilers and the garbage collector too), and for the four
 * services their garbage collector's pauses and how many orders they wrote or applied per transaction, from their
 * metrics; the load generator's pauses from its own JVM ({@link OwnGc}). The broker counts when it runs on this
 * machine; the load generator and the SMTP sink share this JVM.
 */
final class ProcessCosts {

    /** Linux's clock ticks per second for {@code /proc} CPU times (USER_HZ, 100 on every common build). */
    private static final double TICKS_PER_SECOND = 100;

    static final String LOAD_GENERATOR = "load generator + SMTP sink";
    static final String BROKER = "broker";

    /** The PostgreSQL server's own processes (WAL writer, checkpointer, ...): the whole server's, other users' work too. */
    static final String POSTGRES_BACKGROUND = "PostgreSQL background processes (whole server)";

    /** A service's PostgreSQL backends (the server's processes serving its connections), by the service's name. */
    static String postgresBackends(String service) {
        return "PostgreSQL backends of " + service;
    }

    /** Whether a process of the costs counts in the system's sum: all but the load generator and the shared server's own. */
    static boolean ofTheSystem(String process) {
        return !process.equals(LOAD_GENERATOR) && !process.equals(POSTGRES_BACKGROUND);
    }

    /**
     * One process at one moment.
     *
     * @param cpuSeconds user and system CPU time since it started
     * @param jitSeconds the part of it its JIT compiler threads used (0 for a process that is not a JVM)
     * @param gcPauses pauses of its garbage collector since it started (count, seconds in all), when it says
     * @param gcPauseMaxSeconds the longest recent pause (Micrometer's max: the last two minutes or so; the load
     *        generator's: since the previous reading)
     * @param units orders written or applied in transactions since it started (count of transactions, orders in all)
     */
    record Reading(double cpuSeconds, double jitSeconds, Counted gcPauses, double gcPauseMaxSeconds, Counted units) {

        /** Two processes of one service together. */
        Reading plus(Reading other) {
            return new Reading(cpuSeconds + other.cpuSeconds, jitSeconds + other.jitSeconds, gcPauses.plus(other.gcPauses),
                    Math.max(gcPauseMaxSeconds, other.gcPauseMaxSeconds), units.plus(other.units));
        }
    }

    /** A count of events and the sum of their amounts (a Micrometer timer's or summary's COUNT and TOTAL). */
    record Counted(double count, double total) {

        static final Counted NONE = new Counted(0, 0);

        Counted plus(Counted other) {
            return new Counted(count + other.count, total + other.total);
        }

        Counted minus(Counted before) {
            return new Counted(count - before.count, total - before.total);
        }

        double mean() {
            return count == 0 ? 0 : total / count;
        }
    }

    /**
     * What one process spent between two readings.
     *
     * @param cpuMillisPerOrder CPU time per order accepted in the stream, in milliseconds
     * @param jitMillisPerOrder the part of it the JIT compiler threads used: code still being compiled
     * @param coresShare CPU time over the wall time between the readings: 1.0 is one core busy all along
     * @param jitCoresShare the JIT compiler threads' CPU time over the wall time
     * @param gcPauses pauses during the stream, and their total in milliseconds
     * @param gcPauseMaxMillis the longest recent pause
     * @param meanGroup orders per transaction: the checkout's group commit, or a worker's batch (0 if none)
     */
    record Cost(double cpuMillisPerOrder, double jitMillisPerOrder, double coresShare, double jitCoresShare, long gcPauses, double gcPauseMillis, double gcPauseMaxMillis,
            double meanGroup) {
    }

    private ProcessCosts() {
    }

    /**
     * Every process's reading now, by the name the report gives it: a service's is the sum over all its processes
     * (CPU, JIT, pauses, transactions; the longest pause is the longest of any), so that a service run as two instances
     * costs what both cost.
     */
    static Map<String, Reading> read(FlashSaleSystem system) {
        return read(system, Map.of());
    }

    /**
     * The same, and where the services run on PostgreSQL on this machine ({@code databases}: each service's database),
     * the CPU of the server's backends serving each service's database, and of its background processes.
     */
    static Map<String, Reading> read(FlashSaleSystem system, Map<Service, String> databases) {
        Map<String, Reading> readings = new LinkedHashMap<>();
        for (Service service : system.services()) {
            String units = service == Service.ORDER_SERVICE ? "flashsale.checkout.group.size" : "flashsale.worker.batch.size";
            Reading sum = null;
            for (ServiceProcess process : system.processes(service)) {
                URI base = process.baseUri();
                long pid = process.pid();
                Reading reading = new Reading(cpuSeconds(pid).orElse(0.0), jitSeconds(pid),
                        counted(base, "jvm.gc.pause"), statistic(metric(base, "jvm.gc.pause"), "MAX"), counted(base, units));
                sum = sum == null ? reading : sum.plus(reading);
            }
            readings.put(service.module(), sum);
        }
        if (!databases.isEmpty()) {
            Map<String, Double> postgres = postgresCpuSeconds(databases.values());
            databases.forEach((service, database) -> readings.put(postgresBackends(service.module()),
                    new Reading(postgres.getOrDefault(database, 0.0), 0, Counted.NONE, 0, Counted.NONE)));
            readings.put(POSTGRES_BACKGROUND, new Reading(postgres.getOrDefault("", 0.0), 0, Counted.NONE, 0, Counted.NONE));
        }
        brokerPid().flatMap(ProcessCosts::cpuSeconds)
                .ifPresent(cpu -> readings.put(BROKER, new Reading(cpu, 0, Counted.NONE, 0, Counted.NONE)));
        cpuSeconds(ProcessHandle.current().pid())
                .ifPresent(cpu -> readings.put(LOAD_GENERATOR, new Reading(cpu, jitSeconds(ProcessHandle.current().pid()), OwnGc.pauses(),
                        OwnGc.longestSinceLastRead(), Counted.NONE)));
        return readings;
    }

    /** What each process spent between the two readings, per order accepted and per second of wall time. */
    static Map<String, Cost> between(Map<String, Reading> before, Map<String, Reading> after, long orders, double wallSeconds) {
        Map<String, Cost> costs = new LinkedHashMap<>();
        after.forEach((name, end) -> {
            Reading start = before.get(name);
            if (start == null) {
                return;
            }
            double cpu = end.cpuSeconds() - start.cpuSeconds();
            double jit = end.jitSeconds() - start.jitSeconds();
            Counted pauses = end.gcPauses().minus(start.gcPauses());
            costs.put(name, new Cost(orders == 0 ? 0 : cpu * 1000 / orders, orders == 0 ? 0 : jit * 1000 / orders,
                    wallSeconds <= 0 ? 0 : cpu / wallSeconds, wallSeconds <= 0 ? 0 : jit / wallSeconds,
                    Math.round(pauses.count()), pauses.total() * 1000, end.gcPauseMaxSeconds() * 1000,
                    end.units().minus(start.units()).mean()));
        });
        return costs;
    }

    /**
     * The CPU time of a JVM's JIT compiler threads ({@code C1 CompilerThre…}, {@code C2 CompilerThre…}, as
     * {@code /proc/<pid>/task/<tid>/comm} names them): 0 where they cannot be read. A compiler thread that ended took
     * its time with it, so this is a lower bound; HotSpot keeps its compiler threads while there is work.
     */
    private static double jitSeconds(long pid) {
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            return tasks.filter(task -> {
                try {
                    return Files.readString(task.resolve("comm")).matches("C[12] CompilerThre.*\\s*");
                }
                catch (IOException ex) {
                    return false;
                }
            }).mapToDouble(task -> cpuSeconds(task.resolve("stat")).orElse(0.0)).sum();
        }
        catch (IOException | RuntimeException ex) {
            return 0;
        }
    }

    /** Utime and stime, fields 14 and 15 of {@code /proc/<pid>/stat} (counted after the command name's closing parenthesis). */
    private static Optional<Double> cpuSeconds(long pid) {
        return cpuSeconds(Path.of("/proc", String.valueOf(pid), "stat"));
    }

    private static Optional<Double> cpuSeconds(Path statFile) {
        try {
            String stat = Files.readString(statFile);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of((Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND);
        }
        catch (IOException | RuntimeException ex) {
            return Optional.empty(); // not Linux, or the process is gone
        }
    }

    /**
     * The CPU time of the PostgreSQL server's processes on this machine, by the database a backend serves (its title,
     * {@code postgres: <user> <database> <host>(<port>) <state>}, after the cluster's name on Debian), for the given databases; under {@code ""} the server's
     * own processes (those whose title has no client address). A backend that ended took its time with it: Hikari keeps
     * its connections for the whole run.
     */
    private static Map<String, Double> postgresCpuSeconds(Collection<String> databases) {
        Map<String, Double> seconds = new HashMap<>();
        try (var processes = Files.list(Path.of("/proc"))) {
            processes.filter(process -> process.getFileName().toString().matches("\\d+")).forEach(process -> {
                try {
                    String title = Files.readString(process.resolve("cmdline")).replace('\0', ' ').trim();
                    if (!title.startsWith("postgres: ")) {
                        return;
                    }
                    // Debian names the cluster first: postgres: 15/main: <user> <database> <host>(<port>) <state>
                    String key = title.contains("(")
                            ? Arrays.stream(title.split("\\s+")).filter(databases::contains).findFirst().orElse(null) : "";
                    if (key != null) {
                        cpuSeconds(process.resolve("stat")).ifPresent(cpu -> seconds.merge(key, cpu, Double::sum));
                    }
                }
                catch (IOException | RuntimeException ex) {
                    // gone meanwhile, or not ours to read
                }
            });
        }
        catch (IOException | RuntimeException ex) {
            // not Linux: nothing to count
        }
        return seconds;
    }

    /** The RabbitMQ node's Erlang VM, if one runs on this machine. */
    private static Optional<Long> brokerPid() {
        return ProcessHandle.allProcesses()
                .filter(process -> process.info().command().map(command -> command.endsWith("beam.smp")).orElse(false))
                .filter(process -> process.info().arguments().map(arguments -> String.join(" ", arguments).contains("rabbit")).orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }

    private static Counted counted(URI base, String name) {
        JsonNode metric = metric(base, name);
        return new Counted(statistic(metric, "COUNT"), Math.max(statistic(metric, "TOTAL_TIME"), statistic(metric, "TOTAL")));
    }

    private static JsonNode metric(URI base, String name) {
        try {
            return JsonHttp.get(base.resolve("/actuator/metrics/" + name));
        }
        catch (RuntimeException ex) {
            return JsonHttp.JSON.createObjectNode(); // not recorded yet (no pause, no batch): nothing to count
        }
    }

    private static double statistic(JsonNode metric, String statistic) {
        for (JsonNode measurement : metric.path("measurements")) {
            if (statistic.equals(measurement.path("statistic").asText())) {
                return measurement.path("value").asDouble();
            }
        }
        return 0;
    }
}
