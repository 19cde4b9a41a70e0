package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * A real Prometheus server, the binary on the PATH, as a process of the test: on a free port of 127.0.0.1, with its
 * configuration and its database in a directory of its own, and its HTTP API as JSON.
 */
final class PrometheusServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PrometheusServer.class);

    private final Process process;
    private final URI base;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private PrometheusServer(Process process, URI base, Path logFile) {
        this.process = process;
        this.base = base;
        this.logFile = logFile;
    }

    /** Starts Prometheus with this configuration in {@code directory}, and waits until it is ready. */
    static PrometheusServer start(Path directory, String configuration) throws IOException {
        Files.createDirectories(directory);
        Path config = Files.writeString(directory.resolve("prometheus.yml"), configuration);
        Path logFile = directory.resolve("prometheus.log");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Process process = new ProcessBuilder(AlertRulesTests.executable("prometheus").toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + directory.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
        PrometheusServer server = new PrometheusServer(process, URI.create("http://127.0.0.1:" + port), logFile);
        log.info("Started Prometheus (pid {}) on port {}, log {}", process.pid(), port, logFile);
        try {
            server.awaitReady(Duration.ofSeconds(30));
        }
        catch (RuntimeException ex) {
            server.close();
            throw ex;
        }
        return server;
    }

    /** The result of an instant query: its series, each with {@code metric} (the labels) and {@code value}. */
    /** Where it answers, its web UI included. */
    URI uri() {
        return base;
    }

    JsonNode query(String promql) {
        return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).get("result");
    }

    /** The alerts pending or firing now, each with its {@code labels}, {@code state} and {@code activeAt}. */
    List<JsonNode> alerts() {
        return api("/api/v1/alerts").get("alerts").valueStream().toList();
    }

    /** The scrape targets, each with its {@code labels} (job, instance), {@code health} and {@code lastError}. */
    List<JsonNode> targets() {
        return api("/api/v1/targets?state=active").get("activeTargets").valueStream().toList();
    }

    /** The end of its log, for failure messages. */
    String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }

    /** Stops Prometheus (SIGTERM: it closes its database), killing it if it takes too long. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        log.info("Stopped Prometheus; log {}", logFile);
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!ready()) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Prometheus exited while starting:\n" + tail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("Prometheus is not ready after " + timeout + ":\n" + tail());
            }
            try {
                Thread.sleep(200);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    private boolean ready() {
        try {
            return http.send(HttpRequest.newBuilder(base.resolve("/-/ready")).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** GETs a path of the API; answers its {@code data}, or fails with the error it gave. */
    private JsonNode api(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode answer = Checkout.JSON.readTree(response.body());
            if (response.statusCode() != 200 || !"success".equals(answer.path("status").asString())) {
                throw new IllegalStateException("Prometheus answered " + response.statusCode() + " to " + path + ": " + response.body());
            }
            return answer.get("data");
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Prometheus does not answer " + path + ":\n" + tail(), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
