package dev.flashsale.labs;

import static dev.flashsale.labs.OrderingLab.EVENTS;
import static dev.flashsale.labs.OrderingLab.EVENTS_PER_KEY;
import static dev.flashsale.labs.OrderingLab.KEYS;
import static dev.flashsale.labs.OrderingLab.MAX_WORK;
import static dev.flashsale.labs.OrderingLab.MIN_WORK;

import java.util.List;

import dev.flashsale.labs.OrderingLab.Findings;
import dev.flashsale.labs.OrderingLab.Result;

/** What the {@link OrderingLab} prints: the set-up, a row a run, and the verdicts. */
final class OrderingReport {

    private OrderingReport() {
    }

    static Report of(Findings found) {
        Report report = new Report()
                .line("%d customers publish %d events each (numbered 1..%d), interleaved: %d events a run.", KEYS,
                        EVENTS_PER_KEY, EVENTS_PER_KEY, EVENTS)
                .line("Each consumer works %d-%d ms on an event (prefetch 1), then applies it and checks the customer's"
                        + " order.", MIN_WORK, MAX_WORK)
                .line("")
                .line("%-37s %9s %4s %12s %10s", "run", "consumers", "busy", "out of order", "elapsed");
        for (Result result : List.of(found.one(), found.competing(), found.singleActive(), found.partitioned())) {
            report.line("%-37s %9d %4d %12d %7d ms", result.label(), result.consumers(), result.busy(),
                    result.outOfOrder(), result.elapsedMillis());
        }
        report.line("");
        return verdicts(report, found);
    }

    private static Report verdicts(Report report, Findings found) {
        Result one = found.one();
        Result singleActive = found.singleActive();
        Result partitioned = found.partitioned();
        double speedup = (double) singleActive.elapsedMillis() / partitioned.elapsedMillis();
        return report
                .verdict(found.competing().outOfOrder() > 0, ("competing consumers applied %d events after a later"
                                + " event of the same customer").formatted(found.competing().outOfOrder()),
                        "competing consumers happened to keep every customer's order this time")
                .verdict(one.outOfOrder() == 0 && singleActive.outOfOrder() == 0 && partitioned.outOfOrder() == 0,
                        "one consumer, a single active consumer and partitions by key kept every customer's order",
                        "out of order where it must not be: one consumer %d, single active %d, partitions %d"
                                .formatted(one.outOfOrder(), singleActive.outOfOrder(), partitioned.outOfOrder()))
                .verdict(speedup >= 2 && singleActive.busy() == 1, ("partitions were %.1fx faster than a single active"
                                + " consumer: ordered per customer, parallel across them").formatted(speedup),
                        "partitions were not clearly faster than a single active consumer this time (%.1fx, %d busy)"
                                .formatted(speedup, singleActive.busy()));
    }
}
