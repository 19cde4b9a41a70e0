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
    static final Duration QUIET = Duration.ofMillis(500);

    private StreamMisuse() {
    }

    /**
     * @param worker1      jobs the first of two workers reading the stream from next did
     * @param worker2      and the second
     * @param doneByBoth   jobs both did
     * @param consumerTook what one consumer took from the queue, acking it all
     * @param newReaderGot what a reader that came afterwards got
     * @param left         ready in the queue at the end
     */
    record Findings(int worker1, int worker2, int doneByBoth, int consumerTook, int newReaderGot, int left) {
    }

    static Findings measure(Connection connection, Channel channel) throws Exception {
        int jobs = StreamLab.ORDERS;
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

        for (int order = 1; order <= jobs; order++) {
            StreamLab.publish(channel, StreamLab.QUEUE, order);
        }
        channel.waitForConfirmsOrDie(Inbox.PATIENCE.toMillis());
        Inbox consumer = StreamLab.consumer(connection, StreamLab.QUEUE, jobs, Duration.ZERO, Map.of());
        consumer.await(jobs).quietFor(StreamLab.SETTLE).getChannel().close();
        Inbox newReader = StreamLab.consumer(connection, StreamLab.QUEUE, jobs, Duration.ZERO, Map.of());
        newReader.quietFor(QUIET).cancel();
        return new Findings(worker1.count(), worker2.count(), doneByBoth.size(), consumer.count(), newReader.count(),
                Ready.in(channel, StreamLab.QUEUE));
    }
}
