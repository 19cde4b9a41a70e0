package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;

import org.springframework.core.retry.RetryException;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.core.retry.RetryTemplate;

/**
 * The consumer of the {@link AttemptsLab}: acks each good order at once; retries the poison order in place, on the
 * consumer's own thread, as the workers' listener does ({@code DeliveryRetrier}), and rejects it to the DLQ (basicNack,
 * requeue=false) when the policy gives up. While it retries, the channel delivers nothing else to it.
 */
final class RetryingConsumer extends DefaultConsumer {

    final AtomicInteger done = new AtomicInteger();
    final AtomicInteger attempts = new AtomicInteger();
    volatile Duration parkedAfter;
    private final String poison;
    private final RetryTemplate retryTemplate;
    private volatile Thread retrying;
    private volatile boolean stopped;

    RetryingConsumer(Channel channel, String poison, RetryPolicy policy) {
        super(channel);
        this.poison = poison;
        this.retryTemplate = new RetryTemplate(policy);
    }

    @Override
    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
            throws IOException {
        if (stopped) {
            return; // the lab is closing the channel, which hands back all that was not acknowledged
        }
        if (!poison.equals(new String(body, StandardCharsets.UTF_8))) {
            getChannel().basicAck(envelope.getDeliveryTag(), false);
            done.incrementAndGet();
            return;
        }
        long first = System.nanoTime();
        retrying = Thread.currentThread();
        try {
            retryTemplate.execute(() -> {
                attempts.incrementAndGet();
                throw new IllegalStateException("refused by its dependency");
            });
        }
        catch (RetryException ex) {
            if (Thread.interrupted()) {
                return; // stopped by the lab between two attempts: the closing channel hands it back
            }
            getChannel().basicNack(envelope.getDeliveryTag(), false, false);
            parkedAfter = Duration.ofNanos(System.nanoTime() - first);
        }
        finally {
            retrying = null;
        }
    }

    /**
     * Takes nothing more, and interrupts a retry in progress (its wait between attempts), so that the lab can close
     * the channel without a delivery being acknowledged on it at the same moment.
     */
    void stop() {
        stopped = true;
        Thread thread = retrying;
        if (thread != null) {
            thread.interrupt();
        }
    }
}
