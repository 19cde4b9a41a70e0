package dev.flashsale.labs;

import static dev.flashsale.labs.OverflowLab.BATCH;
import static dev.flashsale.labs.OverflowLab.DROP_HEAD_QUEUE;
import static dev.flashsale.labs.OverflowLab.MAX_LENGTH;
import static dev.flashsale.labs.OverflowLab.MESSAGES;
import static dev.flashsale.labs.OverflowLab.REJECT_QUEUE;

import java.util.List;

import dev.flashsale.labs.OverflowLab.Confirms;
import dev.flashsale.labs.OverflowLab.Findings;
import dev.flashsale.labs.OverflowLab.Released;

/** What the {@link OverflowLab} prints: each of its three parts, and its verdict. */
final class OverflowReport {

    private OverflowReport() {
    }

    static Report of(Findings found) {
        Report report = new Report();
        rejected(report, found.rejected(), found.held());
        report.line("");
        dropped(report, found.dropped(), found.left());
        report.line("");
        released(report, found.rejected(), found.released());
        return report;
    }

    private static void rejected(Report report, Confirms rejected, long held) {
        report.line("1. %s (quorum, x-max-length %d, x-overflow reject-publish), no consumer:", REJECT_QUEUE,
                        MAX_LENGTH)
                .line("   publish %d persistent messages with publisher confirms, %d at a time", MESSAGES, BATCH)
                .line("   confirmed %d (%s), nacked %d (%s); the queue holds %d", rejected.acked().size(),
                        range(rejected.acked()), rejected.nacked().size(), range(rejected.nacked()), held)
                .line(held > MAX_LENGTH
                        ? "   %d over the limit: the publishes already on their way when it filled still got in"
                                .formatted(held - MAX_LENGTH)
                        : "   not one over the limit")
                .verdict(!rejected.nacked().isEmpty() && rejected.acked().size() + rejected.nacked().size() == MESSAGES,
                        ("the full queue refused %d publishes with a nack: the publisher still has them and must keep"
                                + " them to retry").formatted(rejected.nacked().size()),
                        "the queue took every publish this time: no backpressure seen");
    }

    private static void dropped(Report report, Confirms dropped, List<Integer> left) {
        int lost = dropped.acked().size() - left.size();
        report.line("2. %s (quorum, x-max-length %d, x-overflow drop-head), no consumer:", DROP_HEAD_QUEUE, MAX_LENGTH)
                .line("   confirmed %d, nacked %d; the queue holds %d: messages %s", dropped.acked().size(),
                        dropped.nacked().size(), left.size(), range(left))
                .verdict(dropped.nacked().isEmpty() && lost > 0,
                        ("all %d confirmed, yet %d of them were lost silently: the oldest were dropped for the newest")
                                .formatted(dropped.acked().size(), lost),
                        "drop-head lost nothing this time (%d confirmed, %d left)".formatted(dropped.acked().size(),
                                left.size()));
    }

    private static void released(Report report, Confirms rejected, Released released) {
        int kept = rejected.nacked().size();
        List<Integer> received = released.received();
        report.line("3. a consumer starts on %s and drains it; the publisher re-sends the %d it kept,", REJECT_QUEUE,
                        kept)
                .line("   %d at a time, and any refused again until the broker confirms it (as the outbox does)", BATCH)
                .line("   the consumer drained the queue: received %d", released.drainedReceived())
                .line("   re-sent %d: confirmed %d, refused on the way %d; the consumer received %d (%d distinct: %s)",
                        kept, released.resent().confirmed(), released.resent().refused(), released.deliveries(),
                        received.size(), range(received))
                .verdict(released.drained() && released.complete() && released.resent().confirmed() == kept,
                        "once the consumer caught up, the queue took publishes again: all %d arrived, none lost"
                                .formatted(received.size()),
                        "the queue did not take the kept messages back in time (%d of %d arrived)"
                                .formatted(received.size(), MESSAGES));
    }

    /** "101..300" for a run of consecutive numbers, "first..last, with gaps" otherwise, "none" when empty. */
    static String range(List<Integer> numbers) {
        if (numbers.isEmpty()) {
            return "none";
        }
        int first = numbers.get(0);
        int last = numbers.get(numbers.size() - 1);
        boolean consecutive = last - first + 1 == numbers.size();
        return first + ".." + last + (consecutive ? "" : ", with gaps");
    }
}
