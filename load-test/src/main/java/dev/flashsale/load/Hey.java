package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flash sale driven by a second client, {@code hey} (Go's HTTP client), so that the figures do not depend on
 * Gatling: as many workers as checkouts a second, each sending one checkout a second on a connection of its own.
 * hey's workers all fire at the same instant; so that the checkouts arrive spread over each second, as Gatling sends
 * them, ten hey processes run, each with a tenth of the workers, started a tenth of a second apart. Every request
 * carries the same valid order and no {@code Idempotency-Key}, so each one accepted is an order of its own.
 *
 * <p>Not quite the open model Gatling runs: a worker whose answer takes longer than a second sends its next checkout
 * late, so when the checkout falls behind, hey offers less than the rate and its tail is a lower bound. (nghttp2's
 * {@code h2load}, which opens connections at a fixed rate, would be the open model; version 1.52 cannot read Tomcat's
 * status line, which has no reason phrase: every answer counted as failed.)
 *
 * <p>hey's CSV has each request's status and time but not the answers' bodies, so the order ids are not known here:
 * {@link Benchmark} takes the accepted count from the statuses and the ids from the workers' dedup tables, and checks
 * that they agree.
 */
final class Hey {

    private static final Logger log = LoggerFactory.getLogger(Hey.class);

    /** The order every request carries (its SKU is one the inventory worker stocks). */
    static final String SKU = "SKU-1";

    static final int UNITS = 1;

    private static final String BODY = """
            {"customer":{"id":"c-hey","email":"hey@example.com"},\
            "lines":[{"sku":"%s","quantity":%d,"unitPrice":9.99}],"currency":"EUR"}""".formatted(SKU, UNITS);

    /** What one run of hey did: per request, its status (-1 if it got no answer) and its time in milliseconds. */
    record Run(List<Integer> statuses, List<Double> latencyMillis, long startedAtMillis, long endedAtMillis) {

        long accepted() {
            return statuses.stream().filter(status -> status == 202).count();
        }

        /** The latencies of the checkouts answered 202. */
        List<Double> acceptedLatencyMillis() {
            List<Double> accepted = new ArrayList<>();
            for (int i = 0; i < statuses.size(); i++) {
                if (statuses.get(i) == 202) {
                    accepted.add(latencyMillis.get(i));
                }
            }
            return accepted;
        }
    }

    private Hey() {
    }

    /** hey, if it is installed (Debian: {@code hey}). */
    static Optional<Path> installed() {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path candidate = Path.of(directory, "hey");
            if (!directory.isEmpty() && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** hey processes, started a tenth of a second apart: the arrivals spread over each second. */
    private static final int STAGGER = 10;

    /** Offers {@code requests} checkouts at {@code rate} a second to the async checkout at {@code base}. */
    static Run run(Path hey, URI base, int requests, int rate, Path directory) {
        try {
            Files.createDirectories(directory);
            Path body = directory.resolve("hey-order.json");
            Files.writeString(body, BODY);
            int parts = Math.max(1, Math.min(STAGGER, Math.min(rate, requests)));
            List<Process> processes = new ArrayList<>();
            List<Path> outputs = new ArrayList<>();
            long started = System.currentTimeMillis();
            for (int part = 0; part < parts; part++) {
                int partRequests = requests / parts + (part < requests % parts ? 1 : 0);
                int workers = Math.max(1, Math.min(partRequests, rate / parts));
                Path csv = directory.resolve("hey-requests-" + part + ".csv");
                List<String> command = List.of(hey.toString(), "-n", String.valueOf(partRequests), "-c", String.valueOf(workers), "-q", "1",
                        "-t", "30", "-disable-keepalive", "-m", "POST", "-T", "application/json", "-A", "application/json",
                        "-D", body.toString(), "-o", "csv", base.resolve("/api/orders").toString());
                if (part == 0) {
                    log.info("hey, {} times, {} ms apart: {}", parts, 1000 / parts, String.join(" ", command));
                }
                processes.add(new ProcessBuilder(command).redirectOutput(csv.toFile())
                        .redirectError(directory.resolve("hey-" + part + ".log").toFile()).start());
                outputs.add(csv);
                Thread.sleep(1000 / parts);
            }
            awaitAll(processes, requests / Math.max(1, rate) + 120, directory);
            return read(outputs, requests, started, System.currentTimeMillis());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Until every hey process has finished, each successfully; none is left running. */
    private static void awaitAll(List<Process> processes, long seconds, Path directory) throws InterruptedException {
        for (Process process : processes) {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                processes.forEach(Process::destroyForcibly);
                throw new IllegalStateException("hey did not finish; its logs are in " + directory);
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException("hey failed (exit " + process.exitValue() + "); its logs are in " + directory);
            }
        }
    }

    /** Each request's status and time from hey's CSV files; a request hey did not write down counts as unanswered. */
    private static Run read(List<Path> outputs, int requests, long started, long ended) throws IOException {
        List<Integer> statuses = new ArrayList<>(requests);
        List<Double> latencies = new ArrayList<>(requests);
        for (Path csv : outputs) {
            for (String line : Files.readAllLines(csv)) {
                String[] columns = line.split(",");
                // response-time (s), DNS+dialup, DNS, Request-write, Response-delay, Response-read, status-code, offset
                if (columns.length >= 8 && !columns[0].startsWith("response")) {
                    int status = Integer.parseInt(columns[6].trim());
                    statuses.add(status == 0 ? -1 : status);
                    latencies.add(Double.parseDouble(columns[0].trim()) * 1000);
                }
            }
        }
        while (statuses.size() < requests) {
            statuses.add(-1);
            latencies.add(Double.NaN);
        }
        return new Run(statuses, latencies, started, ended);
    }
}
