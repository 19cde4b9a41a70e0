package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.labs.OrderingLab.Findings;
import dev.flashsale.labs.OrderingLab.Result;
import org.junit.jupiter.api.Test;

class OrderingReportTests {

    private static final Result ONE = new Result("A one consumer", 1, 1, 0, 2249);
    private static final Result COMPETING = new Result("B four competing consumers", 4, 4, 33, 532);
    private static final Result SINGLE_ACTIVE = new Result("C four, single active consumer", 4, 1, 0, 2520);
    private static final Result PARTITIONED = new Result("D four partitions, hash(customer) % 4", 4, 4, 0, 574);

    @Test
    void aRowARunAndTheVerdictsAsTheGuideShowsThem() {
        Report report = OrderingReport.of(new Findings(ONE, COMPETING, SINGLE_ACTIVE, PARTITIONED));

        assertThat(report.lines()).containsExactly(
                "8 customers publish 40 events each (numbered 1..40), interleaved: 320 events a run.",
                "Each consumer works 2-8 ms on an event (prefetch 1), then applies it and checks the customer's order.",
                "",
                "run                                   consumers busy out of order    elapsed",
                "A one consumer                                1    1            0    2249 ms",
                "B four competing consumers                    4    4           33     532 ms",
                "C four, single active consumer                4    1            0    2520 ms",
                "D four partitions, hash(customer) % 4         4    4            0     574 ms",
                "",
                "=> competing consumers applied 33 events after a later event of the same customer",
                "=> one consumer, a single active consumer and partitions by key kept every customer's order",
                "=> partitions were 4.4x faster than a single active consumer: ordered per customer, parallel across"
                        + " them");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void competingConsumersThatKeptTheOrderAndSlowPartitionsAreNotTheLesson() {
        Result inOrder = new Result(COMPETING.label(), 4, 4, 0, 532);
        Result slow = new Result(PARTITIONED.label(), 4, 4, 0, 2000);

        Report report = OrderingReport.of(new Findings(ONE, inOrder, SINGLE_ACTIVE, slow));

        assertThat(report.missed()).containsExactly(
                "competing consumers happened to keep every customer's order this time",
                "partitions were not clearly faster than a single active consumer this time (1.3x, 1 busy)");
    }
}
