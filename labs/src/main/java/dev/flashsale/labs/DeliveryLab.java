package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;

/**
 * At-most-once, at-least-once and effectively-once delivery, shown by killing a consumer (SIGKILL) in the middle of
 * its work and counting, in its database, what was applied once, twice or never.
 */
final class DeliveryLab implements Lab {

    private static final int ORDERS = 200;
    // Just after an acknowledgement (every DeliveryConsumer.ACK_EVERY): the kill comes with three orders applied but
    // not yet acknowledged. The consumer halts there until it is killed, so that a busy machine cannot let it run on
    // to its next acknowledgement (and show nothing redelivered) before the signal lands.
    private static final int KILL_AFTER = 63;
    private static final long KILL_TIMEOUT_SECONDS = 8;
    private static final long FINISH_TIMEOUT_SECONDS = 10;

    /** How the consumer acknowledges, and whether it remembers what it has applied. */
    enum Mode {
        AT_MOST_ONCE("at-most-once", "auto-ack, no prefetch limit: the broker pushes every message to the consumer at once"),
        AT_LEAST_ONCE("at-least-once", "manual ack after applying, " + DeliveryConsumer.ACK_EVERY
                + " at a time (multiple=true), prefetch " + DeliveryConsumer.PREFETCH + ", no dedup"),
        EFFECTIVELY_ONCE("effectively-once", "as at-least-once, plus a dedup table written in the effect's transaction");

        final String label;
        final String description;

        Mode(String label, String description) {
            this.label = label;
            this.description = description;
        }

        static Optional<Mode> named(String label) {
            return Arrays.stream(values()).filter(mode -> mode.label.equals(label)).findFirst();
        }
    }

    @Override
    public String name() {
        return "delivery";
    }

    @Override
    public String summary() {
        return "at-most-once, at-least-once, effectively-once: a consumer killed (SIGKILL) mid-work";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        List<Mode> modes = arguments.isEmpty() ? List.of(Mode.values())
                : Mode.named(arguments.get(0)).map(List::of).orElse(List.of());
        if (modes.isEmpty() || arguments.size() > 1) {
            System.err.println("Usage: scripts/lab.sh delivery [at-most-once|at-least-once|effectively-once]");
            System.exit(2);
        }
        System.out.println("Each mode: " + ORDERS + " orders into a fresh quorum queue; a consumer in a JVM of its own"
                + " applies them");
        System.out.println("to its own database (~10 ms each), is killed (SIGKILL) midway, and a new consumer takes over.");
        boolean allShown = true; // run all modes, even after one that did not show its behaviour
        Path databases = Files.createTempDirectory("lab-delivery");
        try (Connection connection = Broker.connect(name())) {
            for (Mode mode : modes) {
                System.out.println();
                allShown &= show(connection, mode, databases);
            }
        }
        finally {
            deleteRecursively(databases);
        }
        if (!allShown) {
            System.exit(1);
        }
    }

    /** One mode, start to end; whether it showed what it is about. */
    private static boolean show(Connection connection, Mode mode, Path databases) throws Exception {
        String queue = "lab.delivery." + mode.label;
        // WRITE_DELAY=0: each commit goes to the file at once, so a committed row survives the SIGKILL.
        String database = "jdbc:h2:file:" + databases.resolve(mode.label) + ";WRITE_DELAY=0";
        System.out.println(mode.label + ": " + mode.description);
        try (Channel channel = connection.createChannel()) {
            try {
                channel.queueDelete(queue); // a run that crashed may have left it behind, with messages in it
                channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
                createTables(database);
                publish(channel, queue);

                try (ConsumerProcess first = ConsumerProcess.killedAfter(KILL_AFTER, mode, queue, database)) {
                    first.awaitEnd(KILL_TIMEOUT_SECONDS);
                }
                int appliedBeforeKill = tally(database).rows();
                ConsumerProcess second = ConsumerProcess.toTheEnd(mode, queue, database);
                try (second) {
                    second.awaitEnd(FINISH_TIMEOUT_SECONDS);
                }
                Tally tally = tally(database);
                long left = channel.messageCount(queue);
                int lost = ORDERS - tally.distinct();

                System.out.printf("  %d published; consumer killed (SIGKILL) after applying %d; a new consumer received"
                        + " %d (%d redelivered)%n", ORDERS, appliedBeforeKill, second.received(), second.redelivered());
                System.out.printf("  applied once: %d  applied twice: %d  lost: %d  left in queue: %d%s%n", tally.once(),
                        tally.twice(), lost, left, mode == Mode.EFFECTIVELY_ONCE
                                ? "  duplicates skipped: " + second.skipped() : "");
                Finding finding = finding(mode, lost, tally.twice(), second.skipped(), left);
                System.out.println("=> " + finding.line());
                return finding.shown();
            }
            finally {
                channel.queueDelete(queue);
            }
        }
    }

    /** The verdict line of one mode, and whether the mode showed what it is about. */
    private record Finding(boolean shown, String line) {
    }

    private static Finding finding(Mode mode, int lost, int twice, int skipped, long left) {
        if (left > 0) {
            return new Finding(false, left + " still in the queue: the new consumer stopped before it was empty");
        }
        return switch (mode) {
            case AT_MOST_ONCE -> lost > 0
                    ? new Finding(true, "lost: the broker forgot each message the moment it sent it;"
                            + " those in the killed consumer's buffer are gone")
                    : new Finding(false, "nothing was lost this time: the consumer had applied all it was sent");
            case AT_LEAST_ONCE -> lost > 0
                    ? new Finding(false, lost + " lost: not at least once")
                    : twice > 0
                            ? new Finding(true, "nothing lost, " + twice + " applied twice: redelivered after the kill,"
                                    + " applied again (no dedup)")
                            : new Finding(false, "nothing lost, none applied twice this time: the kill came right after"
                                    + " an acknowledgement");
            case EFFECTIVELY_ONCE -> lost > 0 || twice > 0
                    ? new Finding(false, "not effectively once: " + lost + " lost, " + twice + " applied twice")
                    : skipped > 0
                            ? new Finding(true, "nothing lost, none applied twice: " + skipped
                                    + " redelivered duplicates skipped by the dedup table")
                            : new Finding(false, "nothing lost, none applied twice, no duplicate to skip: the kill came"
                                    + " right after an acknowledgement");
        };
    }

    private static void createTables(String database) throws SQLException {
        try (java.sql.Connection connection = DriverManager.getConnection(database);
                Statement statement = connection.createStatement()) {
            // The effect, without a unique key: applied twice shows as two rows.
            statement.execute("CREATE TABLE applied (order_no INT NOT NULL)");
            // The dedup table of the effectively-once consumer (the workers' processed_order).
            statement.execute("CREATE TABLE processed (order_no INT PRIMARY KEY)");
        }
    }

    private static void publish(Channel channel, String queue) throws Exception {
        channel.confirmSelect();
        for (int orderNo = 1; orderNo <= ORDERS; orderNo++) {
            channel.basicPublish("", queue, MessageProperties.PERSISTENT_TEXT_PLAIN,
                    Integer.toString(orderNo).getBytes(StandardCharsets.UTF_8));
        }
        // All in the queue, on disk, before any consumer starts: nothing is lost on the publishing side.
        channel.waitForConfirmsOrDie(5_000);
    }

    /** What the database holds: rows, orders applied at least once, exactly once, and rows beyond one per order. */
    private record Tally(int rows, int distinct, int once, int twice) {
    }

    private static Tally tally(String database) throws SQLException {
        int rows = 0;
        int distinct = 0;
        int once = 0;
        try (java.sql.Connection connection = DriverManager.getConnection(database);
                Statement statement = connection.createStatement();
                ResultSet times = statement.executeQuery("SELECT COUNT(*) FROM applied GROUP BY order_no")) {
            while (times.next()) {
                int applied = times.getInt(1);
                rows += applied;
                distinct++;
                once += applied == 1 ? 1 : 0;
            }
        }
        return new Tally(rows, distinct, once, rows - distinct);
    }

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
