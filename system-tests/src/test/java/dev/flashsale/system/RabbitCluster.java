package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.http.client.domain.ConnectionInfo;
import com.rabbitmq.http.client.domain.NodeInfo;
import dev.flashsale.testsupport.RabbitManagement;
import dev.flashsale.testsupport.RabbitManagement.QuorumQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.awaitility.Awaitility.await;

/**
 * A RabbitMQ cluster of three nodes of a test's own, on this machine: three {@link RabbitNode}s (the local install,
 * free ports, temporary directories), the second and third joined to the first with {@code rabbitmqctl join_cluster}.
 * They share the {@code rabbitmq} user's Erlang cookie, as every node the installed scripts start does.
 *
 * <p>A node is taken down with {@link #stop} ({@code rabbitmqctl stop_app}): its connections drop, its replicas of the
 * quorum queues stop (their leaders move to another node), and it leaves the running cluster, as in a rolling
 * restart; the Erlang VM stays up, so that {@link #start} brings the same node back in a second or two and
 * {@link #close} always finds the process it started. {@link #close} stops every node, whatever happened before.
 */
final class RabbitCluster implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RabbitCluster.class);

    private static final Duration BOOT = Duration.ofSeconds(120);

    private final List<RabbitNode> nodes;
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();

    private RabbitCluster(List<RabbitNode> nodes) {
        this.nodes = nodes;
    }

    /** Starts {@code size} nodes side by side, joins them into one cluster, and waits until all run in it. */
    static RabbitCluster start(int size) {
        List<RabbitNode> nodes = new ArrayList<>();
        Set<Integer> taken = new HashSet<>();
        String prefix = "flashsale-cluster-" + ProcessHandle.current().pid() + "-";
        RabbitCluster cluster = new RabbitCluster(nodes);
        try {
            for (int i = 1; i <= size; i++) {
                RabbitNode.NodePorts ports = RabbitNode.freePorts(taken);
                taken.addAll(ports.taken());
                nodes.add(RabbitNode.launch(prefix + i + "@localhost", ports));
            }
            nodes.forEach(node -> node.awaitAnswering(BOOT));
            for (RabbitNode node : nodes.subList(1, size)) {
                node.joinCluster(nodes.get(0));
            }
            await("every node running in the cluster").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> cluster.runningNodes().size() == size);
            log.info("The RabbitMQ cluster runs: {} at {}", cluster.nodeNames(), cluster.addresses());
            return cluster;
        }
        catch (RuntimeException ex) {
            cluster.close();
            throw ex;
        }
    }

    /** Every node's AMQP address, {@code 127.0.0.1:port,...}, in the order the nodes were started. */
    String addresses() {
        return nodes.stream().map(node -> "127.0.0.1:" + node.amqpPort()).collect(Collectors.joining(","));
    }

    List<String> nodeNames() {
        return nodes.stream().map(RabbitNode::nodeName).toList();
    }

    /** The management API of a node whose application runs (any node's answers for the whole cluster). */
    RabbitManagement management() {
        return nodes.stream().filter(node -> !stopped.contains(node.nodeName())).findFirst()
                .orElseThrow(() -> new IllegalStateException("No node of the cluster runs")).management();
    }

    /** The nodes the cluster says are running. */
    Set<String> runningNodes() {
        return management().nodes().stream().filter(NodeInfo::isRunning).map(NodeInfo::getName).collect(Collectors.toSet());
    }

    /**
     * The quorum queues of a virtual host, by name, in one request. A leader the API still names but whose replica is
     * not running (its node just went away, no new one elected yet) counts as none. A node being stopped still leads
     * until its replica stops: it counts as a leader until then.
     */
    Map<String, QuorumQueue> quorumQueues(String vhost) {
        Map<String, QuorumQueue> queues = new LinkedHashMap<>();
        for (QuorumQueue queue : management().quorumQueues(vhost)) {
            Optional<String> led = queue.leader().filter(queue.online()::contains);
            queues.put(queue.name(), new QuorumQueue(queue.name(), led, queue.members(), queue.online()));
        }
        return queues;
    }

    /** The node that leads a quorum queue now. */
    String leaderOf(String vhost, String queue) {
        QuorumQueue state = quorumQueues(vhost).get(queue);
        if (state == null || state.leader().isEmpty()) {
            throw new IllegalStateException("No leader for " + queue + " in " + vhost + ": " + state);
        }
        return state.leader().get();
    }

    /**
     * The nodes that hold the AMQP connections of a process of this machine: its TCP connections to a node of the
     * cluster (from {@code /proc}, its sockets' local ports), matched with the broker's connections by the client's
     * port (the management API's connections, {@code peer_port}). The services name no connection, so the port is what
     * tells them apart.
     */
    Set<String> nodesHoldingConnectionsOf(long pid) {
        Set<Integer> clientPorts = clientPorts(pid);
        return management().connections().stream().filter(connection -> clientPorts.contains(connection.getPeerPort()))
                .map(ConnectionInfo::getNode).collect(Collectors.toSet());
    }

    /** Takes a node's application down ({@code rabbitmqctl stop_app}); the node stays out of the cluster until {@link #start}. */
    void stop(String node) {
        RabbitNode target = node(node);
        stopped.add(node);
        target.stopApp();
        log.info("Stopped the RabbitMQ application of {}", node);
    }

    /** Brings a node's application back ({@code rabbitmqctl start_app}) and waits until the cluster counts it running again. */
    void start(String node) {
        node(node).startApp();
        stopped.remove(node);
        await(node + " running in the cluster again").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> runningNodes().contains(node));
        log.info("Started the RabbitMQ application of {} again", node);
    }

    /** Stops every node, side by side; each is stopped even when another fails to. */
    @Override
    public void close() {
        CompletableFuture.allOf(nodes.stream().map(node -> CompletableFuture.runAsync(node::close)).toArray(CompletableFuture[]::new)).join();
    }

    private RabbitNode node(String name) {
        return nodes.stream().filter(node -> node.nodeName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(name + " is not a node of this cluster: " + nodeNames()));
    }

    /**
     * The local ports of a process's established TCP connections to the cluster's AMQP ports: its socket inodes
     * ({@code /proc/<pid>/fd}) looked up in the TCP table of its network namespace ({@code /proc/<pid>/net/tcp}, tcp6).
     */
    private Set<Integer> clientPorts(long pid) {
        Set<Integer> amqpPorts = nodes.stream().map(RabbitNode::amqpPort).collect(Collectors.toSet());
        Path proc = Path.of("/proc", String.valueOf(pid));
        Set<String> inodes = new HashSet<>();
        try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        inodes.add(target.substring("socket:[".length(), target.length() - 1));
                    }
                }
                catch (IOException closedMeanwhile) {
                    // A descriptor closed between the listing and the read.
                }
            }
            Set<Integer> ports = new HashSet<>();
            for (String table : List.of("tcp", "tcp6")) {
                Path file = proc.resolve("net").resolve(table);
                if (!Files.exists(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file);
                for (String line : lines.subList(1, lines.size())) {
                    // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode
                    String[] fields = line.trim().split("\\s+");
                    int remotePort = Integer.parseInt(fields[2].substring(fields[2].indexOf(':') + 1), 16);
                    boolean established = fields[3].equals("01");
                    if (established && amqpPorts.contains(remotePort) && inodes.contains(fields[9])) {
                        ports.add(Integer.parseInt(fields[1].substring(fields[1].indexOf(':') + 1), 16));
                    }
                }
            }
            return ports;
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot read the sockets of process " + pid, ex);
        }
    }
}
