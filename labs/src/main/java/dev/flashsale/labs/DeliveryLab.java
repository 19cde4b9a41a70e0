package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.MessageProperties;

/**
 * At-most-once, at-least-once and effectively-once delivery, shown by killing a consumer (SIGKILL) in the middle of
 * its work and counting, in its database, what was applied once, twice or never; and the two ways to break the
 * dedup table by writing it in a transaction apart from the effect's.
 */
final class DeliveryLab implements Lab {

    private static final int ORDERS = 200;
    // Just after an acknowledgement (every DeliveryConsumer.ACK_EVERY): the kill comes with three orders applied but
    // not yet acknowledged (in a mode of two commits, two and the first commit of the third). The consumer halts there
    // until it is killed, so that a busy machine cannot let it run on to its next acknowledgement (and show nothing
    // redelivered) before the signal lands.
    private static final int KILL_AT = 63;
    private static final long HALT_TIMEOUT_SECONDS = 8;
    private static final long FINISH_TIMEOUT_SECONDS = 10;
    private static final String QUEUE_AT_KILL = "--queue-at-kill";

    /** How the consumer acknowledges, and whether and how it remembers what it has applied. */
    enum Mode {
        AT_MOST_ONCE("at-most-once", "auto-ack, no prefetch limit: the broker pushes every message to the consumer at once"),
        AT_LEAST_ONCE("at-least-once", "manual ack after applying, " + DeliveryConsumer.ACK_EVERY
                + " at a time (multiple=true), prefetch " + DeliveryConsumer.PREFETCH + ", no dedup"),
        EFFECTIVELY_ONCE("effectively-once", "as at-least-once, plus a dedup table written in the effect's transaction"),
        ROW_FIRST("row-first", "as effectively-once, but the dedup row is committed first, the effect in a second"
                + " transaction"),
        EFFECT_FIRST("effect-first", "as effectively-once, but the effect is committed first, the dedup row in a second"
                + " transaction");

        /** What a run without a mode shows: the three delivery guarantees (section 5 of the guide). */
        static final List<Mode> GUARANTEES = List.of(AT_MOST_ONCE, AT_LEAST_ONCE, EFFECTIVELY_ONCE);

        final String label;
        final String description;

        Mode(String label, String description) {
            this.label = label;
            this.description = description;
        }

        boolean dedups() {
            return this != AT_MOST_ONCE && this != AT_LEAST_ONCE;
        }

        boolean twoCommits() {
            return this == ROW_FIRST || this == EFFECT_FIRST;
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
        return "a consumer killed (SIGKILL) mid-work: at-most-, at-least-, effectively-once; a dedup row apart";
    }

    @Override
    public void run(List<String> arguments) throws Exception {
        boolean queueAtKill = arguments.contains(QUEUE_AT_KILL);
        List<String> labels = arguments.stream().filter(argument -> !argument.equals(QUEUE_AT_KILL)).toList();
        List<Mode> modes = labels.stream().map(Mode::named).flatMap(Optional::stream).toList();
        if (modes.size() < labels.size()) {
            System.err.println("Usage: scripts/lab.sh delivery [" + Arrays.stream(Mode.values())
                    .map(mode -> mode.label).collect(Collectors.joining("|")) + "]... [" + QUEUE_AT_KILL + "]");
            System.exit(2);
        }
        System.out.println("Each mode: " + ORDERS + " orders into a fresh quorum queue; a consumer in a JVM of its own"
                + " applies them");
        System.out.println("to its own database (~10 ms each), is killed (SIGKILL) midway, and a new consumer takes over.");
        boolean allShown = true; // run all modes, even after one that did not show its behaviour
        Path databases = Files.createTempDirectory("lab-delivery");
        try (Connection connection = Broker.connect(name())) {
            for (Mode mode : modes.isEmpty() ? Mode.GUARANTEES : modes) {
                System.out.println();
                allShown &= show(connection, mode, new OrderDatabase(databases, mode.label), queueAtKill);
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
    private static boolean show(Connection connection, Mode mode, OrderDatabase database, boolean queueAtKill)
            throws Exception {
        String queue = "lab.delivery." + mode.label;
        System.out.println(mode.label + ": " + mode.description);
        try (Channel channel = connection.createChannel()) {
            try {
                channel.queueDelete(queue); // a run that crashed may have left it behind, with messages in it
                channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
                database.createTables();
                publish(channel, queue);

                ConsumerProcess.Halt halt;
                try (ConsumerProcess first = ConsumerProcess.haltingAt(KILL_AT, mode, queue, database.url())) {
                    halt = first.awaitHalt(HALT_TIMEOUT_SECONDS);
                    if (queueAtKill) {
                        // Asked of the broker while the consumer stands still, just before it is killed.
                        System.out.printf("  at the kill: the broker had delivered %d to the consumer, which had"
                                + " applied %d; the queue had %d ready%n", halt.delivered(), first.applied(),
                                channel.messageCount(queue));
                    }
                    first.kill();
                }
                OrderDatabase.Tally atKill = database.tally(ORDERS);
                ConsumerProcess second = ConsumerProcess.toTheEnd(mode, queue, database.url());
                try (second) {
                    second.awaitEnd(FINISH_TIMEOUT_SECONDS);
                }
                OrderDatabase.Tally tally = database.tally(ORDERS);
                long left = channel.messageCount(queue);

                System.out.printf("  %d published; consumer killed (SIGKILL) %s; a new consumer received %d (%d"
                        + " redelivered)%n", ORDERS, mode.twoCommits()
                                ? "between the two commits of order " + halt.orderNo()
                                : "after applying " + atKill.rows(),
                        second.received(), second.redelivered());
                if (mode == Mode.ROW_FIRST) {
                    System.out.println("  at the kill the database held the dedup row and not the effect of "
                            + orders(atKill.rowsWithoutEffect()));
                }
                if (mode == Mode.EFFECT_FIRST) {
                    System.out.println("  at the kill the database held the effect and not the dedup row of "
                            + orders(atKill.effectsWithoutRow()));
                }
                System.out.printf("  applied once: %d  applied twice: %d  lost: %d  left in queue: %d%s%n",
                        tally.once(), tally.twice(), tally.lost().size(), left, mode.dedups()
                                ? "  duplicates skipped: " + second.skipped() : "");
                Finding finding = finding(mode, tally, second.skipped(), left);
                System.out.println("=> " + finding.line());
                return finding.shown();
            }
            finally {
                channel.queueDelete(queue);
            }
        }
    }

    /** The verdict line of one mode, and whether the mode showed what it is about. */
    record Finding(boolean shown, String line) {
    }

    static Finding finding(Mode mode, OrderDatabase.Tally tally, int skipped, long left) {
        int lost = tally.lost().size();
        int twice = tally.twice();
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
            case ROW_FIRST -> lost > 0 && twice == 0
                    ? new Finding(true, "lost: redelivered, " + orders(tally.lost()) + " found its dedup row and was"
                            + " skipped as done; its effect was never applied")
                    : new Finding(false, "the dedup row first lost nothing this time: " + lost + " lost, " + twice
                            + " applied twice");
            case EFFECT_FIRST -> twice > 0 && lost == 0
                    ? new Finding(true, "applied twice: redelivered, " + orders(tally.appliedTwice()) + " found no"
                            + " dedup row and was applied again")
                    : new Finding(false, "the effect first applied nothing twice this time: " + lost + " lost, " + twice
                            + " applied twice");
        };
    }

    private static String orders(List<Integer> orderNumbers) {
        if (orderNumbers.isEmpty()) {
            return "no order";
        }
        return (orderNumbers.size() == 1 ? "order " : "orders ")
                + orderNumbers.stream().map(String::valueOf).collect(Collectors.joining(", "));
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

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
