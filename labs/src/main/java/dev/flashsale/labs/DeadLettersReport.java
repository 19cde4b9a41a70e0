package dev.flashsale.labs;

import static dev.flashsale.labs.DeadLettersLab.CLASSIC;
import static dev.flashsale.labs.DeadLettersLab.CRASHES_AT_MOST;
import static dev.flashsale.labs.DeadLettersLab.CRASHING_FOR;
import static dev.flashsale.labs.DeadLettersLab.NO_DLX;
import static dev.flashsale.labs.DeadLettersLab.ORDERS;

import dev.flashsale.events.Topology;
import dev.flashsale.labs.DeadLettersLab.Findings;
import dev.flashsale.labs.DeadLettersLab.Rejected;

/** What the {@link DeadLettersLab} prints: the rejects, the crash loops, and the verdicts. */
final class DeadLettersReport {

    private DeadLettersReport() {
    }

    static Report of(Findings findings) {
        Report report = new Report()
                .line("%s is a quorum queue like the workers' queues: its dead letters go to", ORDERS.queue())
                .line("%s, and its delivery limit is %d.", ORDERS.dlq(), Topology.DELIVERY_LIMIT)
                .line("");
        rejected(report, findings.rejected());
        report.line("");
        crashes(report, findings);
        return report;
    }

    private static void rejected(Report report, Rejected rejected) {
        report.line("1. A consumer rejects a message (basicNack, requeue=false) from it, and one from a quorum queue")
                .line("   without a dead-letter exchange:")
                .line("   %s: %d ready; %s: %d, x-first-death-reason=%s", ORDERS.queue(), rejected.ready(), ORDERS.dlq(),
                        rejected.parked(), rejected.firstDeathReason())
                .line("   %s: %d ready, and no dead-letter exchange to send it to", NO_DLX, rejected.dropped())
                .verdict(rejected.parked() == 1 && rejected.dropped() == 0,
                        "without a dead-letter exchange a rejected message is dropped, with no error and no trace",
                        "the rejected messages were not parked and dropped: dlq " + rejected.parked() + ", " + NO_DLX
                                + " " + rejected.dropped());
    }

    private static void crashes(Report report, Findings found) {
        report.line("2. A message that crashes each consumer it is delivered to: each takes it (manual ack) and closes")
                .line("   its channel without an ack, as if it had died; the lab gives up after %.0f s or %d"
                        + " deliveries:", CRASHING_FOR.toMillis() / 1000.0, CRASHES_AT_MOST)
                .line("   %s (classic queue, no delivery limit): delivered %d times in %.1f s, %s", CLASSIC,
                        found.forever().deliveries(), found.forever().seconds(),
                        found.stillThere() == 1 ? "and still in the queue" : "then gone")
                .line("   %s: delivered %d times, then dead-lettered: x-first-death-reason=%s", ORDERS.queue(),
                        found.limited().deliveries(), found.whyParked())
                .verdict(found.stillThere() == 1 && found.forever().deliveries() > found.limited().deliveries()
                                && found.parked() == 1,
                        "without a delivery limit the message came back " + (found.forever().deliveries() - 1)
                                + " times in " + "%.1f s".formatted(found.forever().seconds())
                                + ", and would for ever; with one it was parked",
                        "no loop cut short: " + found.forever().deliveries() + " deliveries without a limit, "
                                + found.limited().deliveries() + " with one, " + found.parked() + " parked");
    }
}
