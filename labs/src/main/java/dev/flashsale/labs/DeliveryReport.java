package dev.flashsale.labs;

import java.util.List;
import java.util.stream.Collectors;

import dev.flashsale.labs.DeliveryLab.Findings;
import dev.flashsale.labs.DeliveryLab.Mode;

/** What the {@link DeliveryLab} prints: the set-up, then for each mode what the kill did, and its verdict. */
final class DeliveryReport {

    private DeliveryReport() {
    }

    static Report intro() {
        return new Report()
                .line("Each mode: " + DeliveryLab.ORDERS + " orders into a fresh quorum queue; a consumer in a JVM of its"
                        + " own applies them")
                .line("to its own database (~10 ms each), is killed (SIGKILL) midway, and a new consumer takes over.");
    }

    static Report of(Findings found) {
        Mode mode = found.mode();
        Report report = new Report().line("").line(mode.label + ": " + mode.description);
        if (found.readyAtKill() != null) {
            report.line("  at the kill: the broker had delivered %d to the consumer, which had applied %d; the queue"
                    + " had %d ready", found.halt().delivered(), found.atKill(), found.readyAtKill());
        }
        report.line("  %d published; consumer killed (SIGKILL) %s; a new consumer received %d (%d redelivered)",
                DeliveryLab.ORDERS, mode.twoCommits()
                        ? "between the two commits of order " + found.halt().orderNo()
                        : "after applying " + found.tallyAtKill().rows(),
                found.second().received(), found.second().redelivered());
        if (mode == Mode.ROW_FIRST) {
            report.line("  at the kill the database held the dedup row and not the effect of "
                    + orders(found.tallyAtKill().rowsWithoutEffect()));
        }
        if (mode == Mode.EFFECT_FIRST) {
            report.line("  at the kill the database held the effect and not the dedup row of "
                    + orders(found.tallyAtKill().effectsWithoutRow()));
        }
        OrderDatabase.Tally tally = found.tally();
        report.line("  applied once: %d  applied twice: %d  lost: %d  left in queue: %d%s", tally.once(), tally.twice(),
                tally.lost().size(), found.left(), mode.dedups() ? "  duplicates skipped: " + found.second().skipped() : "");
        Finding finding = finding(mode, tally, found.second().skipped(), found.left());
        return report.verdict(finding.shown(), finding.line(), finding.line());
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
}
