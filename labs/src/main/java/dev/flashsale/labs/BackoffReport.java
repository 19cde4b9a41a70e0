package dev.flashsale.labs;

import static dev.flashsale.labs.BackoffLab.BACK_AT;
import static dev.flashsale.labs.BackoffLab.BUCKET;
import static dev.flashsale.labs.BackoffLab.CAPACITY;
import static dev.flashsale.labs.BackoffLab.HISTOGRAM_FROM;
import static dev.flashsale.labs.BackoffLab.MAX_RETRIES;
import static dev.flashsale.labs.BackoffLab.MESSAGES;
import static dev.flashsale.labs.BackoffLab.WINDOW;

import java.util.stream.Collectors;

import dev.flashsale.labs.BackoffLab.Findings;
import dev.flashsale.labs.BackoffLab.Outcome;

/** What the {@link BackoffLab} prints: the set-up, a table of the three policies, a histogram, and the verdicts. */
final class BackoffReport {

    private static final int RETRIES_PER_MARK = 25;

    private BackoffReport() {
    }

    static Report of(Findings findings) {
        Report report = new Report()
                .line("%d messages fail at t=0: their dependency (say, the SMTP server) is down.", MESSAGES)
                .line("It is back at t=%.1f s and then takes %d calls per %d ms; it refuses the calls over that.",
                        BACK_AT / 1000.0, CAPACITY, WINDOW)
                .line("Each message retries when a Spring RetryPolicy's BackOff says (virtual clock, no sleeping).")
                .line("")
                .line("%-30s %7s %13s %14s %9s %13s %9s", "policy", "retries", "peak/100 ms", "over capacity",
                        "succeeded", "dead-lettered", "all ok at");
        row(report, "no backoff (immediate retry)", findings.immediate());
        row(report, "exponential, no jitter", findings.noJitter());
        row(report, "exponential + jitter (workers)", findings.jitter());
        report.line("");
        histogram(report, findings.noJitter(), findings.jitter());
        report.line("");
        return verdicts(report, findings.noJitter(), findings.jitter());
    }

    private static void row(Report report, String policy, Outcome outcome) {
        String allOk = outcome.succeeded() == MESSAGES ? "%.1f s".formatted(outcome.lastSuccessAt() / 1000.0) : "never";
        report.line("%-30s %7d %13d %14d %9d %13d %9s", policy, outcome.retries(), outcome.peak(),
                outcome.overCapacity(), outcome.succeeded(), outcome.deadLettered(), allOk);
    }

    private static void histogram(Report report, Outcome noJitter, Outcome jitter) {
        report.line("Retries per %d ms (# = %d retries; from %.1f s the dependency takes %d per %d ms):", BUCKET,
                        RETRIES_PER_MARK, BACK_AT / 1000.0, CAPACITY * BUCKET / WINDOW, BUCKET)
                .line("%-16s %-45s %s", "", "exponential, no jitter", "exponential + jitter (workers)");
        for (int bucket = 0; bucket < noJitter.histogram().size(); bucket++) {
            long from = HISTOGRAM_FROM + bucket * BUCKET;
            report.line("%4.2f-%4.2f s %-4s %s  %s", from / 1000.0, (from + BUCKET) / 1000.0,
                    from < BACK_AT ? "down" : "up", bar(noJitter.histogram().get(bucket)),
                    bar(jitter.histogram().get(bucket)).stripTrailing());
        }
    }

    private static Report verdicts(Report report, Outcome noJitter, Outcome jitter) {
        // Synchronized: every message's n-th retry at the same instant, and the first wave is the whole herd.
        boolean herd = noJitter.peak() == MESSAGES && noJitter.retryInstants().size() <= MAX_RETRIES;
        double spread = (double) noJitter.peak() / jitter.peak();
        double spreadWhenBack = (double) noJitter.peakWhenBack() / jitter.peakWhenBack();
        return report
                .verdict(herd, "without jitter each wave of retries hit at one instant (%s s): peak = all %d at once"
                                .formatted(seconds(noJitter), MESSAGES),
                        "without jitter the retries did not come all at once (peak %d per %d ms)"
                                .formatted(noJitter.peak(), WINDOW))
                .verdict(spread >= 2, ("with jitter the peak was %d per %d ms, %.1fx lower; once the dependency was"
                                + " back, %d vs %d (%.1fx)").formatted(jitter.peak(), WINDOW, spread,
                                jitter.peakWhenBack(), noJitter.peakWhenBack(), spreadWhenBack),
                        "jitter did not spread the retries this time: peak %d vs %d per %d ms"
                                .formatted(jitter.peak(), noJitter.peak(), WINDOW))
                .verdict(jitter.deadLettered() < noJitter.deadLettered(), ("dead-lettered without jitter: %d, with"
                                + " jitter: %d: spread out, the retries fit what the server could take")
                                .formatted(noJitter.deadLettered(), jitter.deadLettered()),
                        "jitter did not save any message this time: dead-lettered %d vs %d"
                                .formatted(jitter.deadLettered(), noJitter.deadLettered()));
    }

    private static String bar(int retries) {
        String marks = "#".repeat((retries + RETRIES_PER_MARK - 1) / RETRIES_PER_MARK);
        return "%4d %-40s".formatted(retries, marks);
    }

    private static String seconds(Outcome outcome) {
        return outcome.retryInstants().stream().map(instant -> "%.0f".formatted(instant / 1000.0))
                .collect(Collectors.joining(", "));
    }
}
