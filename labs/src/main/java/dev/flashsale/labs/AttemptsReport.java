package dev.flashsale.labs;

import static dev.flashsale.labs.AttemptsLab.DLQ;
import static dev.flashsale.labs.AttemptsLab.ORDERS;
import static dev.flashsale.labs.AttemptsLab.POISON;
import static dev.flashsale.labs.AttemptsLab.PREFETCH;
import static dev.flashsale.labs.AttemptsLab.QUEUE;
import static dev.flashsale.labs.AttemptsLab.SPEED_UP;
import static dev.flashsale.labs.AttemptsLab.TOO_MANY_ATTEMPTS;

import dev.flashsale.labs.AttemptsLab.Findings;
import dev.flashsale.labs.AttemptsLab.Watched;

/** What the {@link AttemptsLab} prints: the set-up, each run, the workers' own pace, and the verdicts. */
final class AttemptsReport {

    private AttemptsReport() {
    }

    static Report of(Findings findings) {
        Report report = setUp(new Report());
        Watched parked = findings.parked();
        report.line("").line("max attempts %d (the workers' setting):", WorkerRetryPolicy.MAX_ATTEMPTS);
        watched(report, parked).verdict(parked.deadLettered() == 1 && parked.done() == ORDERS - 1,
                "parked after its last attempt, " + POISON + " is out of the way: the " + (ORDERS - 1)
                        + " behind it went through",
                "not parked and passed: " + parked.deadLettered() + " dead-lettered, " + parked.done() + " done");
        Watched held = findings.held();
        report.line("").line("max attempts %d:", TOO_MANY_ATTEMPTS);
        watched(report, held).verdict(held.deadLettered() == 0 && held.done() == 0 && held.inPrefetch() > 0
                        && held.waiting() > 0,
                POISON + " holds its consumer: the " + held.inPrefetch() + " in its prefetch and the "
                        + held.waiting() + " in the queue behind them wait",
                "not held: " + held.done() + " done, " + held.deadLettered() + " dead-lettered");
        double parkedAfter = findings.parkedAfter().toMillis() / 1000.0;
        double heldFor = findings.heldFor().toMillis() / 3_600_000.0;
        return report.line("")
                .line("At the workers' own pace (1 s doubling up to 30 s, jitter 250 ms; the mean of 1000 runs of"
                        + " their policy):")
                .line("   %d attempts hold a message %.0f s before it is parked; %d attempts hold it %.0f hours",
                        WorkerRetryPolicy.MAX_ATTEMPTS, parkedAfter, TOO_MANY_ATTEMPTS, heldFor)
                .verdict(heldFor > 1, "a limit of 1000 attempts does not park a message that never succeeds:"
                                + " it holds it, and its prefetch, for hours",
                        "1000 attempts would hold it only " + heldFor + " hours");
    }

    private static Report setUp(Report report) {
        return report
                .line("%d orders in the quorum queue %s (dead letters: %s): %s fails at every", ORDERS, QUEUE, DLQ,
                        POISON)
                .line("attempt, as an order whose dependency refuses it for good; order-2 to order-%d are fine. One"
                        + " consumer,", ORDERS)
                .line("prefetch %d, retries in the listener with Spring's RetryTemplate, at the workers' pace %d times"
                        + " faster", PREFETCH, SPEED_UP)
                .line("(%d ms doubling up to %d ms).", WorkerRetryPolicy.DELAY.dividedBy(SPEED_UP).toMillis(),
                        WorkerRetryPolicy.MAX_DELAY.dividedBy(SPEED_UP).toMillis());
    }

    private static Report watched(Report report, Watched run) {
        return report
                .line("   %s: %d attempts in %s", POISON, run.attempts(), run.parkedAfter() == null
                        ? "%.1f s, still retrying".formatted(run.watched().toMillis() / 1000.0)
                        : "%.1f s, then rejected to the DLQ".formatted(run.parkedAfter().toMillis() / 1000.0))
                .line("   the other %d: %d done, %d held in the consumer's prefetch, %d waiting in the queue; %d in the"
                        + " DLQ", ORDERS - 1, run.done(), run.inPrefetch(), run.waiting(), run.deadLettered());
    }
}
