package dev.flashsale.worker.deadletter;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes a dead letter back to this worker's queue, and tells whether the broker took it.
 *
 * <p>Through the default exchange, with the work queue's name as the routing key: the other workers, which got their
 * own copy of the order through the fanout exchange, never see it again. Mandatory and with publisher confirms: a
 * replay counts only when the broker confirmed the message and did not return it as unroutable.
 */
final class ReplayPublisher {

    private final RabbitTemplate rabbit;
    private final String queue;
    private final Duration confirmTimeout;

    ReplayPublisher(RabbitTemplate rabbit, String queue, Duration confirmTimeout) {
        this.rabbit = rabbit;
        this.queue = queue;
        this.confirmTimeout = confirmTimeout;
    }

    String queue() {
        return queue;
    }

    /** Sends the row's message; the broker's answer comes later, see {@link #awaitConfirm}. */
    Sent send(DeadLetter row) {
        CorrelationData correlation = new CorrelationData("replay-" + row.id() + "-" + row.replayCount());
        try {
            rabbit.send("", queue, DeadLetterMessages.toReplay(row), correlation);
        }
        catch (AmqpException ex) {
            throw new ReplayFailedException("Dead letter " + row.id() + " could not be sent to " + queue + ": " + ex.getMessage(), ex);
        }
        return new Sent(row, correlation);
    }

    /** Waits for the broker's answer to a send; throws unless the broker confirmed it and it reached the queue. */
    void awaitConfirm(Sent sent) {
        String what = "The replay of dead letter " + sent.row().id() + " to " + queue;
        CorrelationData.Confirm confirm;
        try {
            confirm = sent.correlation().getFuture().get(confirmTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (TimeoutException ex) {
            throw new ReplayFailedException(what + " was not confirmed by the broker within " + confirmTimeout, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ReplayFailedException(what + " was interrupted before the broker confirmed it", ex);
        }
        catch (ExecutionException ex) {
            throw new ReplayFailedException(what + " failed: " + ex.getCause(), ex);
        }
        if (sent.correlation().getReturned() != null) {
            throw new ReplayFailedException(what + " was returned by the broker: " + sent.correlation().getReturned().getReplyText());
        }
        if (!confirm.ack()) {
            throw new ReplayFailedException(what + " was refused by the broker (nack" + (confirm.reason() == null ? ""
                    : ": " + confirm.reason()) + ")");
        }
    }

    /** A row's message on its way to the broker. */
    record Sent(DeadLetter row, CorrelationData correlation) {
    }
}
