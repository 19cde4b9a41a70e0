package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * dedup table by writing it in a transaction apart from the effect's. {@link DeliveryReport} tells it.
 */
final class DeliveryLab implements Lab {

    static final int ORDERS = 200;
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

    /**
     * What one mode came to.
     *
     * @param halt        where the first consumer halted, to be killed
     * @param atKill      what it had applied by then, as it reported it
     * @param readyAtKill the queue's ready count asked just before the kill, or {@code null} when not asked
     * @param tallyAtKill what its database held after the kill
     * @param second      what the consumer that took over received, redelivered and skipped
     * @param tally       what the database held in the end
     * @param left        what was left in the queue in the end
     */
    record Findings(Mode mode, ConsumerProcess.Halt halt, int atKill, Long readyAtKill, OrderDatabase.Tally tallyAtKill,
            SecondConsumer second, OrderDatabase.Tally tally, long left) {
    }

    /** What the consumer that took over after the kill received, how many of them redelivered, and skipped. */
    record SecondConsumer(int received, int redelivered, int skipped) {
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
        DeliveryReport.intro().printLines();
        List<String> missed = new ArrayList<>(); // run all modes, even after one that did not show its behaviour
        Path databases = Files.createTempDirectory("lab-delivery");
        try (Connection connection = RabbitConnector.connect(name())) {
            for (Mode mode : modes.isEmpty() ? Mode.GUARANTEES : modes) {
                Findings findings = measure(connection, mode, new OrderDatabase(databases, mode.label), queueAtKill);
                missed.addAll(DeliveryReport.of(findings).printLines().missed());
            }
        }
        finally {
            deleteRecursively(databases);
        }
        Report.failIfMissed(missed);
    }

    /** One mode, start to end. */
    private static Findings measure(Connection connection, Mode mode, OrderDatabase database, boolean queueAtKill)
            throws Exception {
        String queue = "lab.delivery." + mode.label;
        try (Channel channel = connection.createChannel()) {
            try {
                channel.queueDelete(queue); // a run that crashed may have left it behind, with messages in it
                channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum"));
                database.createTables();
                publish(channel, queue);
                try (ConsumerProcess first = ConsumerProcess.haltingAt(KILL_AT, mode, queue, database.url())) {
                    ConsumerProcess.Halt halt = first.awaitHalt(HALT_TIMEOUT_SECONDS);
                    // Asked of the broker while the consumer stands still, just before it is killed.
                    Long readyAtKill = queueAtKill ? channel.messageCount(queue) : null;
                    int atKill = first.applied();
                    first.kill();
                    OrderDatabase.Tally tallyAtKill = database.tally(ORDERS);
                    SecondConsumer second = takeOver(mode, queue, database);
                    return new Findings(mode, halt, atKill, readyAtKill, tallyAtKill, second, database.tally(ORDERS),
                            channel.messageCount(queue));
                }
            }
            finally {
                channel.queueDelete(queue);
            }
        }
    }

    /** A new consumer, run until the queue has been idle for a while. */
    private static SecondConsumer takeOver(Mode mode, String queue, OrderDatabase database) throws Exception {
        try (ConsumerProcess second = ConsumerProcess.toTheEnd(mode, queue, database.url())) {
            second.awaitEnd(FINISH_TIMEOUT_SECONDS);
            return new SecondConsumer(second.received(), second.redelivered(), second.skipped());
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

    private static void deleteRecursively(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
