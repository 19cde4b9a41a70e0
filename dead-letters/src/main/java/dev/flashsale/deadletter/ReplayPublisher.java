package dev.flashsale.deadletter;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.flashsale.events.Traceparent;
import io.micrometer.tracing.Link;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * Publishes a dead letter back to this worker's queue, and tells whether the broker took it.
 *
 * <p>Through the default exchange, with the work queue's name as the routing key: the other workers, which got their
 * own copy of the order through the fanout exchange, never see it again. Mandatory and with publisher confirms: a
 * replay counts only when the broker confirmed the message and did not return it as unroutable.
 *
 * <p>A replay starts a new trace (it is a new attempt, made by an admin, maybe days later), with a link to the trace
 * of the order's first attempt, which the dead letter's {@code traceparent} header names: a trace viewer shows where
 * it came from, and the order's first trace keeps its end where it failed.
 */
final class ReplayPublisher {

    private final RabbitTemplate rabbit;
    private final String queue;
    private final Duration confirmTimeout;
    private final Tracer tracer;

    ReplayPublisher(RabbitTemplate rabbit, String queue, Duration confirmTimeout, Tracer tracer) {
        this.rabbit = rabbit;
        this.queue = queue;
        this.confirmTimeout = confirmTimeout;
        this.tracer = tracer;
    }

    String queue() {
        return queue;
    }

    /** Sends the row's message; the broker's answer comes later, see {@link #awaitConfirm}. */
    Sent send(DeadLetter row) {
        CorrelationData correlation = new CorrelationData("replay-" + row.id() + "-" + row.replayCount());
        Span replay = replaySpan(row);
        try (Tracer.SpanInScope trace = tracer.withSpan(replay)) {
            rabbit.send("", queue, DeadLetterMessages.toReplay(row), correlation);
        }
        catch (AmqpException ex) {
            replay.error(ex);
            throw new ReplayFailedException("Dead letter " + row.id() + " could not be sent to " + queue + ": " + ex.getMessage(), ex);
        }
        finally {
            replay.end();
        }
        return new Sent(row, correlation);
    }

    /**
     * The span of one replay: the root of a new trace, linked to the order's first one. The publish span of the
     * template, and the worker's span of the replayed delivery, are its children.
     */
    private Span replaySpan(DeadLetter row) {
        Span.Builder builder = tracer.spanBuilder().setNoParent().name("dead-letter replay")
                .tag("flashsale.dead-letter.id", row.id()).tag("flashsale.order.id", String.valueOf(row.orderId()));
        Traceparent.parse(row.headers().get(Traceparent.HEADER)).ifPresent(first -> builder.addLink(new Link(tracer
                .traceContextBuilder().traceId(first.traceId()).spanId(first.spanId()).sampled(first.sampled()).build())));
        return builder.start();
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
