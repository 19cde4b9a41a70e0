package dev.flashsale.labs;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * The {@link StreamLab}'s other run ({@code scripts/lab.sh stream misuse}): each kind of queue used for the other's
 * job. A stream as a work queue: its readers do not compete, every reader does every job. A queue as a history: what
 * was consumed is gone, and a reader that comes later finds nothing.
 */
final class StreamMisuse {

    /** How long a reader that should get nothing is given to get something anyway. */
    private static final Duration QUIET = Duration.ofMillis(500);

    private StreamMisuse() {
    }

    static void show(Connection connection, Channel channel) throws Exception {
        int jobs = StreamLab.ORDERS;
        System.out.println("A stream as a work queue: two workers read " + StreamLab.STREAM + " from next (prefetch,"
                + " manual ack),");
        System.out.println("   as two workers would share a queue; then " + jobs + " jobs are published with confirms");
        Inbox worker1 = StreamLab.reader(connection, "next");
        Inbox worker2 = StreamLab.reader(connection, "next");
        for (int job = 1; job <= jobs; job++) {
            StreamLab.publish(channel, StreamLab.STREAM, job);
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        worker1.await(jobs).quietFor(StreamLab.SETTLE).cancel();
        worker2.await(jobs).quietFor(StreamLab.SETTLE).cancel();
        Set<String> doneByBoth = new HashSet<>(worker1.bodies());
        doneByBoth.retainAll(worker2.bodies());
        System.out.printf("   worker 1 did %d, worker 2 did %d: %d jobs done, %d of them twice%n", worker1.count(),
                worker2.count(), worker1.count() + worker2.count(), doneByBoth.size());
        Verdict.check(doneByBoth.size() == jobs,
                "a stream's readers do not compete: every reader did every job, " + jobs + " jobs were done twice",
                "the two readers did not each do every job: " + doneByBoth.size() + " done by both");

        System.out.println();
        System.out.println("A queue as a history: " + jobs + " orders published with confirms to " + StreamLab.QUEUE
                + ";");
        System.out.println("   one consumer takes and acks them all, then a new reader comes for the history");
        for (int order = 1; order <= jobs; order++) {
            StreamLab.publish(channel, StreamLab.QUEUE, order);
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        Inbox consumer = StreamLab.consumer(connection, StreamLab.QUEUE, jobs, Duration.ZERO, Map.of());
        consumer.await(jobs).quietFor(StreamLab.SETTLE).getChannel().close();
        Inbox newReader = StreamLab.consumer(connection, StreamLab.QUEUE, jobs, Duration.ZERO, Map.of());
        newReader.quietFor(QUIET).cancel();
        int left = Ready.in(channel, StreamLab.QUEUE);
        System.out.printf("   the consumer took %d; the new reader got %d in %d ms; the queue holds %d%n",
                consumer.count(), newReader.count(), QUIET.toMillis(), left);
        Verdict.check(consumer.count() == jobs && newReader.count() == 0 && left == 0,
                "a queue keeps no history: consumed means removed, and a later reader finds nothing to replay",
                "the queue kept something: the new reader got " + newReader.count() + ", " + left + " left");
    }
}
