package dev.flashsale.labs;

import static dev.flashsale.labs.StreamLab.ORDERS;
import static dev.flashsale.labs.StreamLab.QUEUE;
import static dev.flashsale.labs.StreamLab.STREAM;

import java.util.List;

import dev.flashsale.labs.StreamLab.Findings;
import dev.flashsale.labs.StreamLab.Read;
import dev.flashsale.labs.StreamLab.Tail;

/** What the {@link StreamLab} prints, in its two runs: the queue and the stream, and each misused. */
final class StreamReport {

    private StreamReport() {
    }

    static Report of(Findings found) {
        Report report = new Report()
                .line("The same " + ORDERS + " orders, published with confirms to a queue and a stream:")
                .line("   " + QUEUE + " (quorum queue) and " + STREAM + " (stream, kept for 10 minutes or 1 MB)")
                .line("Two competing consumers of the queue (prefetch 1, manual ack):")
                .line("   consumer 1: %d   consumer 2: %d   left in the queue once they closed: %d", found.consumer1(),
                        found.consumer2(), found.left())
                .verdict(found.consumer1() + found.consumer2() == ORDERS && found.distinct() == ORDERS
                                && found.left() == 0,
                        "a queue gives each message to one consumer and removes it once acked: consumed = removed",
                        "the queue did not hand out each order once and forget it: " + found.distinct() + " distinct, "
                                + found.left() + " left")
                .line("Readers of the stream (prefetch, manual ack, consumer argument x-stream-offset):");
        Read first = found.fromFirst().get(0);
        Read again = found.fromFirst().get(1);
        read(report, first);
        read(report, again).verdict(first.bodies().size() == ORDERS && again.bodies().equals(first.bodies()),
                "reading does not remove: a stream is a log, and every reader keeps its own position",
                "the second reader from first did not read the same " + ORDERS + ": " + again.bodies());
        Read fromFive = found.fromFive();
        read(report, fromFive).verdict(fromFive.bodies().size() == ORDERS - 5
                        && fromFive.bodies().get(0).equals("order-6"),
                "a reader can start anywhere: from offset 5 it replayed the last " + (ORDERS - 5),
                "from offset 5 the reader got " + fromFive.bodies());
        return tail(report, found.tail());
    }

    private static Report read(Report report, Read read) {
        List<String> bodies = read.bodies();
        return report.line("   from %s: read %d (%s to %s, offsets %s to %s)", read.from(), bodies.size(),
                bodies.get(0), bodies.get(bodies.size() - 1), read.firstOffset(), read.lastOffset());
    }

    private static Report tail(Report report, Tail tail) {
        return report.line("   from next: %d in 500 ms; then 2 new orders were published: it read %d %s",
                        tail.beforePublish(), tail.bodies().size(), tail.bodies())
                .verdict(tail.beforePublish() == 0 && tail.bodies().equals(List.of("order-11", "order-12")),
                        "a reader from next gets only what is published after it started",
                        "the reader from next got " + tail.beforePublish() + " before and " + tail.bodies()
                                + " in all");
    }

    static Report misuse(StreamMisuse.Findings found) {
        int jobs = ORDERS;
        return new Report()
                .line("A stream as a work queue: two workers read " + STREAM + " from next (prefetch, manual ack),")
                .line("   as two workers would share a queue; then " + jobs + " jobs are published with confirms")
                .line("   worker 1 did %d, worker 2 did %d: %d jobs done, %d of them twice", found.worker1(),
                        found.worker2(), found.worker1() + found.worker2(), found.doneByBoth())
                .verdict(found.doneByBoth() == jobs,
                        "a stream's readers do not compete: every reader did every job, " + jobs + " jobs were done"
                                + " twice",
                        "the two readers did not each do every job: " + found.doneByBoth() + " done by both")
                .line("")
                .line("A queue as a history: " + jobs + " orders published with confirms to " + QUEUE + ";")
                .line("   one consumer takes and acks them all, then a new reader comes for the history")
                .line("   the consumer took %d; the new reader got %d in %d ms; the queue holds %d", found.consumerTook(),
                        found.newReaderGot(), StreamMisuse.QUIET.toMillis(), found.left())
                .verdict(found.consumerTook() == jobs && found.newReaderGot() == 0 && found.left() == 0,
                        "a queue keeps no history: consumed means removed, and a later reader finds nothing to replay",
                        "the queue kept something: the new reader got " + found.newReaderGot() + ", " + found.left()
                                + " left");
    }
}
