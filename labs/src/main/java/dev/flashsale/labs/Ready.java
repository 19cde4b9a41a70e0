package dev.flashsale.labs;

import java.io.IOException;

import com.rabbitmq.client.Channel;

/**
 * A queue's ready messages, as a passive declare reports them: exact at the moment of asking, and without the
 * messages delivered and not yet acknowledged.
 */
final class Ready {

    private Ready() {
    }

    static int in(Channel channel, String queue) throws IOException {
        return channel.queueDeclarePassive(queue).getMessageCount();
    }

    /**
     * The ready count once it reaches {@code expected}, or what it is after {@link Inbox#PATIENCE}: a requeue or a
     * dead-lettering happens in the broker after the command that caused it has returned.
     */
    static int awaitIn(Channel channel, String queue, int expected) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Inbox.PATIENCE.toNanos();
        int ready = in(channel, queue);
        while (ready != expected && System.nanoTime() < deadline) {
            Thread.sleep(10);
            ready = in(channel, queue);
        }
        return ready;
    }
}
