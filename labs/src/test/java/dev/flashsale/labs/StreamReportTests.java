package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import dev.flashsale.labs.StreamLab.Findings;
import dev.flashsale.labs.StreamLab.Read;
import dev.flashsale.labs.StreamLab.Tail;
import org.junit.jupiter.api.Test;

class StreamReportTests {

    private static final Read FROM_FIRST = new Read("first", orders(1, 10), 0L, 9L);

    @Test
    void aQueueForgetsAStreamKeepsAsTheGuideShowsIt() {
        Report report = StreamReport.of(new Findings(6, 4, 10, 0, List.of(FROM_FIRST, FROM_FIRST),
                new Read("offset 5", orders(6, 10), 5L, 9L), new Tail(0, orders(11, 12))));

        assertThat(report.lines()).containsExactly(
                "The same 10 orders, published with confirms to a queue and a stream:",
                "   lab.stream.queue (quorum queue) and lab.stream.orders (stream, kept for 10 minutes or 1 MB)",
                "Two competing consumers of the queue (prefetch 1, manual ack):",
                "   consumer 1: 6   consumer 2: 4   left in the queue once they closed: 0",
                "=> a queue gives each message to one consumer and removes it once acked: consumed = removed",
                "Readers of the stream (prefetch, manual ack, consumer argument x-stream-offset):",
                "   from first: read 10 (order-1 to order-10, offsets 0 to 9)",
                "   from first: read 10 (order-1 to order-10, offsets 0 to 9)",
                "=> reading does not remove: a stream is a log, and every reader keeps its own position",
                "   from offset 5: read 5 (order-6 to order-10, offsets 5 to 9)",
                "=> a reader can start anywhere: from offset 5 it replayed the last 5",
                "   from next: 0 in 500 ms; then 2 new orders were published: it read 2 [order-11, order-12]",
                "=> a reader from next gets only what is published after it started");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void aReaderFromNextThatGotTheOldOrdersIsNotTheLesson() {
        Report report = StreamReport.of(new Findings(5, 5, 10, 0, List.of(FROM_FIRST, FROM_FIRST),
                new Read("offset 5", orders(6, 10), 5L, 9L), new Tail(10, orders(1, 12))));

        assertThat(report.missed()).hasSize(1).first().asString().startsWith("the reader from next got 10 before");
    }

    @Test
    void misusedEachForTheOthersJobAsTheGuideShowsIt() {
        Report report = StreamReport.misuse(new StreamMisuse.Findings(10, 10, 10, 10, 0, 0));

        assertThat(report.lines()).containsExactly(
                "A stream as a work queue: two workers read lab.stream.orders from next (prefetch, manual ack),",
                "   as two workers would share a queue; then 10 jobs are published with confirms",
                "   worker 1 did 10, worker 2 did 10: 20 jobs done, 10 of them twice",
                "=> a stream's readers do not compete: every reader did every job, 10 jobs were done twice",
                "",
                "A queue as a history: 10 orders published with confirms to lab.stream.queue;",
                "   one consumer takes and acks them all, then a new reader comes for the history",
                "   the consumer took 10; the new reader got 0 in 500 ms; the queue holds 0",
                "=> a queue keeps no history: consumed means removed, and a later reader finds nothing to replay");
    }

    @Test
    void aQueueThatKeptWhatWasConsumedIsNotTheLesson() {
        Report report = StreamReport.misuse(new StreamMisuse.Findings(10, 10, 10, 10, 10, 0));

        assertThat(report.missed()).containsExactly("the queue kept something: the new reader got 10, 0 left");
    }

    private static List<String> orders(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(order -> "order-" + order).toList();
    }
}
