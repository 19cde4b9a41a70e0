package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.flashsale.testsupport.Ports;
import dev.flashsale.testsupport.RabbitManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.awaitility.Awaitility.await;

/**
 * A RabbitMQ node of the fault tests' own: the locally installed RabbitMQ ({@code rabbitmq-server}) started as a
 * second node, on free ports, with its database and logs in a temporary directory, and the management plugin.
 *
 * <p>Why not the broker on 5672: the fault tests stop the broker's application ({@code rabbitmqctl stop_app}) in
 * the middle of a load, and that broker is shared with every other test run and running system on the machine,
 * which would all see it go away. A node of their own can be stopped as often as the tests like, and is gone when
 * they end. It runs as the {@code rabbitmq} user (the installed scripts switch to it), so its directories are
 * writable by everyone.
 */
final class RabbitNode implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RabbitNode.class);

    /** The ports the installed command-line tools use for themselves by default: never given to the node. */
    private static final int CLI_PORTS_FROM = 35672;
    private static final int CLI_PORTS_TO = 35682;

    private final String nodeName;
    private final int amqpPort;
    private final int managementPort;
    private final Path directory;
    private final Process process;
    private final RabbitManagement management;

    private RabbitNode(String nodeName, int amqpPort, int managementPort, Path directory, Process process) {
        this.nodeName = nodeName;
        this.amqpPort = amqpPort;
        this.managementPort = managementPort;
        this.directory = directory;
        this.process = process;
        this.management = new RabbitManagement(managementUri(), "guest", "guest");
    }

    /** Starts a node and waits until AMQP and the management API answer. */
    static RabbitNode start() {
        try {
            Path directory = Files.createTempDirectory("flashsale-rabbit-");
            Path mnesia = Files.createDirectories(directory.resolve("mnesia"));
            Path logs = Files.createDirectories(directory.resolve("log"));
            for (Path writable : List.of(directory, mnesia, logs)) {
                Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            int[] ports = freePorts();
            int amqp = ports[0];
            int management = ports[1];
            int distribution = ports[2];
            Files.writeString(directory.resolve("enabled_plugins"), "[rabbitmq_management].\n");
            Files.writeString(directory.resolve("rabbitmq.conf"), """
                    listeners.tcp.local = 127.0.0.1:%d
                    management.tcp.ip = 127.0.0.1
                    management.tcp.port = %d
                    collect_statistics_interval = 1000
                    """.formatted(amqp, management));
            String nodeName = "flashsale-faults-" + ProcessHandle.current().pid() + "@localhost";
            ProcessBuilder builder = new ProcessBuilder(command("rabbitmq-server")).redirectErrorStream(true)
                    .redirectOutput(directory.resolve("rabbitmq-server.out").toFile());
            builder.environment().putAll(Map.of(
                    "RABBITMQ_NODENAME", nodeName,
                    "RABBITMQ_DIST_PORT", String.valueOf(distribution),
                    "RABBITMQ_MNESIA_BASE", mnesia.toString(),
                    "RABBITMQ_LOG_BASE", logs.toString(),
                    "RABBITMQ_FEATURE_FLAGS_FILE", directory.resolve("feature_flags").toString(),
                    "RABBITMQ_ENABLED_PLUGINS_FILE", directory.resolve("enabled_plugins").toString(),
                    "RABBITMQ_CONFIG_FILE", directory.resolve("rabbitmq").toString(),
                    "RABBITMQ_PID_FILE", directory.resolve("rabbitmq.pid").toString()));
            Process process = builder.start();
            RabbitNode node = new RabbitNode(nodeName, amqp, management, directory, process);
            Runtime.getRuntime().addShutdownHook(new Thread(node::close, "rabbit-node-stop"));
            log.info("Starting the RabbitMQ node {} (AMQP {}, management {}) in {}", nodeName, amqp, management, directory);
            node.awaitAnswering(Duration.ofSeconds(90));
            return node;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("""
                    Cannot start a RabbitMQ node of the fault tests' own (%s).
                      The fault tests stop and start the broker, so they run a node of their own from the locally
                      installed RabbitMQ: `apt-get install rabbitmq-server` (rabbitmq-server and rabbitmqctl on the PATH)."""
                    .formatted(ex.getMessage()), ex);
        }
    }

    int amqpPort() {
        return amqpPort;
    }

    URI managementUri() {
        return URI.create("http://127.0.0.1:" + managementPort);
    }

    /** Stops the RabbitMQ application (the Erlang node stays up): connections drop, new ones are refused. */
    void stopApp() {
        rabbitmqctl("stop_app");
    }

    /** Starts the RabbitMQ application again and waits until AMQP and the management API answer. */
    void startApp() {
        rabbitmqctl("start_app");
        awaitAnswering(Duration.ofSeconds(60));
    }

    /** A queue of the default virtual host as the management API describes it (messages, consumers, rates). */
    JsonNode queue(String name) {
        return Checkout.JSON.readTree(management.send("GET", "/api/queues/%2F/" + RabbitManagement.encode(name), null));
    }

    /** How many messages a queue holds, ready and unacknowledged, from the management API. */
    long depth(String queue) {
        return queue(queue).path("messages").asLong(0);
    }

    /**
     * Publishes one message through the management API to the default exchange, so straight into a queue;
     * true if the broker routed it.
     */
    boolean publishToQueue(String queue, Map<String, Object> properties, String payload) {
        String body = Checkout.JSON.writeValueAsString(Map.of("properties", properties, "routing_key", queue,
                "payload", payload, "payload_encoding", "string"));
        return Checkout.JSON.readTree(management.send("POST", "/api/exchanges/%2F/amq.default/publish", body)).get("routed").asBoolean();
    }

    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            rabbitmqctl("stop");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            deleteDirectory();
            log.info("Stopped the RabbitMQ node {}", nodeName);
        }
        catch (RuntimeException ex) {
            log.warn("Could not stop the RabbitMQ node {} cleanly: {}", nodeName, ex.toString());
            process.destroyForcibly();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitAnswering(Duration timeout) {
        await("the RabbitMQ node " + nodeName + " answering (logs in " + directory.resolve("log") + ")")
                .atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("the RabbitMQ node " + nodeName + " exited; see " + directory.resolve("rabbitmq-server.out"), () -> !process.isAlive())
                .until(() -> Ports.answers("127.0.0.1", amqpPort) && management.answers());
    }

    private void rabbitmqctl(String action) {
        try {
            Process ctl = new ProcessBuilder(command("rabbitmqctl", "-n", nodeName, action)).redirectErrorStream(true).start();
            String output = new String(ctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ctl.waitFor(60, TimeUnit.SECONDS) || ctl.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + action + " failed on " + nodeName + ": " + output);
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot run rabbitmqctl (is RabbitMQ installed?)", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        catch (IOException ex) {
            log.debug("Could not delete {}: {}", directory, ex.toString());
        }
    }

    private static List<String> command(String... words) {
        return new ArrayList<>(List.of(words));
    }

    /**
     * AMQP, management and distribution ports: free now, and apart from the ports the command-line tools take for
     * themselves (the defaults, and the node's distribution port plus 10,000 to 10,010).
     */
    private static int[] freePorts() throws IOException {
        while (true) {
            int amqp = freePort();
            int management = freePort();
            int distribution = freePort();
            boolean clear = distribution < 55_000 && amqp != management
                    && Stream.of(amqp, management).noneMatch(port -> (port >= CLI_PORTS_FROM && port <= CLI_PORTS_TO)
                            || (port >= distribution + 10_000 && port <= distribution + 10_010));
            if (clear) {
                return new int[] {amqp, management, distribution};
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
