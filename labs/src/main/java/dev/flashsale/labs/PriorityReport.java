package dev.flashsale.labs;

import static dev.flashsale.labs.PriorityLab.BACKLOG;
import static dev.flashsale.labs.PriorityLab.EXPRESS;
import static dev.flashsale.labs.PriorityLab.NORMAL;
import static dev.flashsale.labs.PriorityLab.WORK;

import dev.flashsale.labs.PriorityLab.Findings;
import dev.flashsale.labs.PriorityLab.Waited;

/** What the {@link PriorityLab} prints: how long the express message waited with each prefetch, and the verdict. */
final class PriorityReport {

    private PriorityReport() {
    }

    static Report of(Findings findings) {
        Report report = new Report().line("A classic queue with x-max-priority 10, " + BACKLOG + " normal messages"
                + " (priority " + NORMAL + ") waiting in it, then one express message (priority " + EXPRESS + "); "
                + WORK.toMillis() + " ms of work per message:");
        waited(report, findings.withPrefetch50());
        waited(report, findings.withPrefetch1());
        int behind50 = findings.withPrefetch50().behind();
        int behind1 = findings.withPrefetch1().behind();
        return report.verdict(behind1 <= 2 && behind50 >= 25 && behind50 < BACKLOG / 2,
                "the queue put the express message ahead of its backlog, but not ahead of what the consumer had"
                        + " prefetched",
                "the express message waited behind " + behind50 + " messages with prefetch 50 and " + behind1
                        + " with prefetch 1");
    }

    private static void waited(Report report, Waited waited) {
        report.line("   prefetch %-3d normal messages handled before the express one: %d (of %d waiting)",
                waited.prefetch(), waited.behind(), waited.waiting());
    }
}
