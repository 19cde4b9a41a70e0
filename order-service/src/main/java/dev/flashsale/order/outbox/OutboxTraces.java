package dev.flashsale.order.outbox;

import dev.flashsale.events.Traceparent;
import io.micrometer.tracing.CurrentTraceContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

/**
 * The trace an outbox row belongs to: taken from the checkout request when the row is made, kept in the row as a
 * {@link Traceparent}, and made current again on the thread that sends the row, whenever that is.
 *
 * <p>Why not let the thread's context flow: the row is sent by the publisher's own thread right after the commit, or
 * by the relay, seconds or hours later, after a broker outage or a restart. Neither runs inside the request any more.
 * With the trace in the row, the message's publish span (Spring AMQP's, with observation on) is a child of the
 * checkout's span either way, and so are the workers' spans, through the {@code traceparent} header it writes.
 */
@Component
class OutboxTraces {

    private final Tracer tracer;

    OutboxTraces(Tracer tracer) {
        this.tracer = tracer;
    }

    /** The caller's trace, to keep with the rows it writes; null outside a trace (or with tracing off). */
    @Nullable String current() {
        Span span = tracer.currentSpan();
        if (span == null) {
            return null;
        }
        TraceContext context = span.context();
        // With tracing off, the context is a no-op one, with empty ids: nothing worth keeping. (Checked by length, not
        // parsed: this runs for every checkout, and a tracer's own ids are well formed.)
        if (context.traceId().length() != 32 || context.spanId().length() != 16) {
            return null;
        }
        return new Traceparent(context.traceId(), context.spanId(), Boolean.TRUE.equals(context.sampled())).toString();
    }

    /**
     * Makes a row's trace the current one until the scope closes; without one, no trace is current (the sending thread
     * carries nothing over from the row before).
     */
    CurrentTraceContext.Scope resume(@Nullable String traceparent) {
        TraceContext context = Traceparent.parse(traceparent)
                .map(parent -> tracer.traceContextBuilder().traceId(parent.traceId()).spanId(parent.spanId())
                        .sampled(parent.sampled()).build())
                .orElse(null);
        return tracer.currentTraceContext().newScope(context);
    }
}
