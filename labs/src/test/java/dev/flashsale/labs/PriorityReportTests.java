package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.labs.PriorityLab.Findings;
import dev.flashsale.labs.PriorityLab.Waited;
import org.junit.jupiter.api.Test;

class PriorityReportTests {

    @Test
    void theExpressMessageWaitsBehindThePrefetchOnly() {
        Report report = PriorityReport.of(new Findings(new Waited(50, 50, 199), new Waited(1, 1, 199)));

        assertThat(report.lines()).containsExactly(
                "A classic queue with x-max-priority 10, 200 normal messages (priority 0) waiting in it, then one"
                        + " express message (priority 9); 5 ms of work per message:",
                "   prefetch 50  normal messages handled before the express one: 50 (of 199 waiting)",
                "   prefetch 1   normal messages handled before the express one: 1 (of 199 waiting)",
                "=> the queue put the express message ahead of its backlog, but not ahead of what the consumer had"
                        + " prefetched");
    }

    @Test
    void anExpressMessageThatWaitedBehindTheBacklogWasNotReordered() {
        Report report = PriorityReport.of(new Findings(new Waited(50, 150, 199), new Waited(1, 150, 199)));

        assertThat(report.missed()).containsExactly(
                "the express message waited behind 150 messages with prefetch 50 and 150 with prefetch 1");
    }
}
