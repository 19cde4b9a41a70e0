package dev.flashsale.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.flashsale.testsupport.RabbitManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker alone on the system's topology, measured with RabbitMQ PerfTest: one publisher to a fanout
 * exchange bound to three quorum queues, persistent 512-byte messages, publisher confirms, and consumers that
 * prefetch and acknowledge as the workers do. It runs as a process of its own, in a virtual host of its own,
 * while the system is stopped, so that it has the machine to itself as the system had.
 */
final class BrokerAlone {

    private static final Logger log = LoggerFactory.getLogger(BrokerAlone.class);

    /** PerfTest prints one line a second: "..., time 3.003 s, sent: 5256 msg/s, ..., received: 17597 msg/s, ...". */
    private static final Pattern SECOND = Pattern.compile("time:? ([\\d.]+) ?s, sent: (\\d+) msg/s.*received: (\\d+) msg/s");

    /**
     * How PerfTest is set up, to match the system.
     *
     * @param duration how long it publishes
     * @param confirmWindow the most publishes waiting for their confirm
     * @param consumersPerQueue consumers on each queue (the workers' listener concurrency)
     * @param prefetch each consumer's prefetch (the workers' prefetch)
     * @param multiAckEvery acknowledge every this many messages at once (1: each one, as the workers do)
     */
    record Setup(Duration duration, int confirmWindow, int consumersPerQueue, int prefetch, int multiAckEvery) {
    }

    /**
     * What the broker sustained.
     *
     * @param publishedPerSecond messages per second published into the fanout, per second of the run (after warm-up)
     * @param consumedPerSecond messages per second consumed from the three queues together, per second of the run
     * @param sustained the median over the run of the rate at which messages were both published and consumed by
     *        every queue: what the broker holds without the queues growing
     */
    record Result(Setup setup, List<Long> publishedPerSecond, List<Long> consumedPerSecond, double sustained, Path output) {
    }

    private BrokerAlone() {
    }

    static Result measure(BrokerEndpoint broker, RabbitManagement management, Setup setup, Path outputDirectory) {
        String virtualHost = "flashsale-perftest-" + System.currentTimeMillis();
        management.createVirtualHost(virtualHost, broker.username());
        Path output = outputDirectory.resolve("perftest.log");
        try {
            List<String> command = command(broker.amqpUri(virtualHost), setup);
            log.info("The broker alone: {}", String.join(" ", command.subList(5, command.size())));
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Seconds seconds = Seconds.read(process, outputDirectory, output);
            if (!process.waitFor(setup.duration().toSeconds() + 60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("PerfTest did not stop; see " + output);
            }
            if (seconds.published().isEmpty()) {
                throw new IllegalStateException("PerfTest printed no measurement; see " + output);
            }
            double median = Percentiles.median(seconds.sustained());
            log.info("The broker alone sustained {} messages/s (median of {} seconds)", Math.round(median), seconds.sustained().size());
            return new Result(setup, seconds.published(), seconds.consumed(), median, output);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
        finally {
            management.deleteVirtualHost(virtualHost);
        }
    }

    /** PerfTest in a JVM of its own, on this class path: the order topology's fanout to three quorum queues. */
    private static List<String> command(String amqpUri, Setup setup) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx512m",
                "-cp", System.getProperty("java.class.path"), "com.rabbitmq.perf.PerfTest",
                "--uri", amqpUri,
                "--exchange", "orders", "--type", "fanout",
                "--queue-pattern", "perftest-%d", "--queue-pattern-from", "1", "--queue-pattern-to", "3",
                "--quorum-queue", "--auto-delete", "false",
                "--flag", "persistent", "--size", "512",
                "--producers", "1", "--confirm", String.valueOf(setup.confirmWindow()),
                "--consumers", String.valueOf(3 * setup.consumersPerQueue()), "--qos", String.valueOf(setup.prefetch()),
                "--time", String.valueOf(setup.duration().toSeconds())));
        if (setup.multiAckEvery() > 1) {
            command.addAll(List.of("--multi-ack-every", String.valueOf(setup.multiAckEvery())));
        }
        return command;
    }

    /**
     * PerfTest's seconds after the warm-up, as it printed them (its whole output is kept in a file).
     *
     * @param published messages published into the fanout, per second
     * @param consumed messages consumed from the three queues together, per second
     * @param sustained per second, the rate at which messages were both published and consumed by every queue
     */
    private record Seconds(List<Long> published, List<Long> consumed, List<Double> sustained) {

        static Seconds read(Process process, Path outputDirectory, Path output) throws IOException {
            Seconds seconds = new Seconds(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                Files.createDirectories(outputDirectory);
                List<String> all = new ArrayList<>();
                for (String line; (line = lines.readLine()) != null; ) {
                    all.add(line);
                    Matcher second = SECOND.matcher(line);
                    // The first seconds are the warm-up: queues being declared, consumers starting.
                    if (second.find() && Double.parseDouble(second.group(1)) > 3) {
                        long sent = Long.parseLong(second.group(2));
                        long received = Long.parseLong(second.group(3));
                        seconds.published().add(sent);
                        seconds.consumed().add(received);
                        seconds.sustained().add(Math.min(sent, received / 3.0));
                    }
                }
                Files.write(output, all);
            }
            return seconds;
        }
    }
}
