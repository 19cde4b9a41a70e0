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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import dev.flashsale.testsupport.Ports;
import com.rabbitmq.http.client.domain.QueueInfo;
import dev.flashsale.testsupport.RabbitManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;

/**
 * A RabbitMQ node of the fault tests' own: the locally installed RabbitMQ ({@code rabbitmq-server}) started as a
 * second node, on free ports, with its database and logs in a temporary directory, and the management plugin.
 *
 * <p>Why not the broker on 5672: the fault tests stop the broker's application ({@code rabbitmqctl stop_app}) in
 * the middle of a load, and that broker is shared with every other test run and running system on the machine,
 * which would all see it go away. A node of their own can be stopped as often as the tests like, and is gone when
 * they end. It runs as the {@code rabbitmq} user (the installed scripts switch to it), so its directories are
 * writable by everyone; every node started so shares that user's Erlang cookie ({@code /var/lib/rabbitmq/.erlang.cookie}),
 * which is what lets {@link RabbitCluster} join several into a cluster.
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
        RabbitNode node = launch("flashsale-faults-" + ProcessHandle.current().pid() + "@localhost", freePorts(Set.of()));
        node.awaitAnswering(Duration.ofSeconds(90));
        return node;
    }

    /** A node's AMQP, management and Erlang distribution ports. */
    record NodePorts(int amqp, int management, int distribution) {

        /** The ports the node takes, and those the command-line tools take when they talk to it. */
        Set<Integer> taken() {
            Set<Integer> taken = new HashSet<>(List.of(amqp, management, distribution));
            for (int port = distribution + 10_000; port <= distribution + 10_010; port++) {
                taken.add(port);
            }
            return taken;
        }
    }

    /**
     * Starts a node under the given name and ports, in a new temporary directory, and returns at once: the caller
     * waits with {@link #awaitAnswering} (several nodes boot faster side by side than one after the other).
     */
    static RabbitNode launch(String nodeName, NodePorts ports) {
        try {
            Path directory = Files.createTempDirectory("flashsale-rabbit-");
            Path mnesia = Files.createDirectories(directory.resolve("mnesia"));
            Path logs = Files.createDirectories(directory.resolve("log"));
            for (Path writable : List.of(directory, mnesia, logs)) {
                Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxrwx"));
            }
            int amqp = ports.amqp();
            int management = ports.management();
            int distribution = ports.distribution();
            Files.writeString(directory.resolve("enabled_plugins"), "[rabbitmq_management].\n");
            Files.writeString(directory.resolve("rabbitmq.conf"), """
                    listeners.tcp.local = 127.0.0.1:%d
                    management.tcp.ip = 127.0.0.1
                    management.tcp.port = %d
                    collect_statistics_interval = 1000
                    """.formatted(amqp, management));
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

    String nodeName() {
        return nodeName;
    }

    int amqpPort() {
        return amqpPort;
    }

    /** Its management API (guest/guest). */
    RabbitManagement management() {
        return management;
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

    /**
     * Makes this node a member of the other's cluster: its application stopped, joined, started again (its own
     * data, none yet, is dropped). Waits until it answers as a member.
     */
    void joinCluster(RabbitNode other) {
        rabbitmqctl("stop_app");
        rabbitmqctl("join_cluster", other.nodeName);
        startApp();
    }

    /** A queue of the default virtual host as the management API describes it (messages, consumers, rates). */
    QueueInfo queue(String name) {
        return management.queue("/", name);
    }

    /** How many messages a queue holds, ready and unacknowledged, from the management API. */
    long depth(String queue) {
        // -1 (or no queue) until the broker has counted it once
        QueueInfo info = queue(queue);
        return info == null ? 0 : Math.max(0, info.getTotalMessages());
    }

    /**
     * Publishes one message through the management API to the default exchange, so straight into a queue;
     * true if the broker routed it.
     */
    boolean publishToQueue(String queue, Map<String, Object> properties, String payload) {
        return management.publishToQueue("/", queue, properties, payload);
    }

    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        try {
            rabbitmqctl("stop");
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                destroyForcibly();
            }
            deleteDirectory();
            log.info("Stopped the RabbitMQ node {}", nodeName);
        }
        catch (RuntimeException ex) {
            log.warn("Could not stop the RabbitMQ node {} cleanly: {}", nodeName, ex.toString());
            destroyForcibly();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            destroyForcibly();
        }
    }

    /**
     * Kills the node's processes: the process started is the installed wrapper ({@code su rabbitmq ...}), and the
     * Erlang VM is its descendant, which killing the wrapper alone would leave running.
     */
    private void destroyForcibly() {
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    void awaitAnswering(Duration timeout) {
        await("the RabbitMQ node " + nodeName + " answering (logs in " + directory.resolve("log") + ")")
                .atMost(timeout).pollInterval(Duration.ofMillis(200))
                .failFast("the RabbitMQ node " + nodeName + " exited; see " + directory.resolve("rabbitmq-server.out"), () -> !process.isAlive())
                .until(() -> Ports.answers("127.0.0.1", amqpPort) && management.answers());
    }

    private void rabbitmqctl(String... action) {
        try {
            List<String> words = command("rabbitmqctl", "-n", nodeName);
            words.addAll(List.of(action));
            Process ctl = new ProcessBuilder(words).redirectErrorStream(true).start();
            String output = new String(ctl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!ctl.waitFor(60, TimeUnit.SECONDS) || ctl.exitValue() != 0) {
                throw new IllegalStateException("rabbitmqctl " + String.join(" ", action) + " failed on " + nodeName + ": " + output);
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
     * themselves (the defaults, and the node's distribution port plus 10,000 to 10,010), and from those of the
     * nodes chosen before ({@code taken}: each one's {@link NodePorts#taken()}), for nodes started side by side.
     */
    static NodePorts freePorts(Set<Integer> taken) {
        try {
            while (true) {
                NodePorts ports = new NodePorts(freePort(), freePort(), freePort());
                Set<Integer> mine = ports.taken();
                boolean clear = ports.distribution() < 55_000 && ports.amqp() != ports.management()
                        && ports.distribution() != ports.amqp() && ports.distribution() != ports.management()
                        && Stream.of(ports.amqp(), ports.management()).noneMatch(port -> (port >= CLI_PORTS_FROM && port <= CLI_PORTS_TO)
                                || (port >= ports.distribution() + 10_000 && port <= ports.distribution() + 10_010))
                        && mine.stream().noneMatch(taken::contains)
                        && Stream.of(ports.amqp(), ports.management(), ports.distribution()).noneMatch(port -> port >= CLI_PORTS_FROM && port <= CLI_PORTS_TO);
                if (clear) {
                    return ports;
                }
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

}
