package dev.flashsale.events;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A W3C trace context, as the {@code traceparent} header writes it: {@code 00-<trace id>-<span id>-<flags>}. It is
 * how a message belongs to the trace of the request that made it (Spring AMQP writes it into each message it
 * publishes with observation on, and reads it back on delivery).
 *
 * <p>The project also keeps it where a header cannot go: with each outbox row, so that a row the relay sends minutes
 * after its checkout (the broker was down) still belongs to that checkout's trace; and with each dead letter, so that
 * its replay, a new trace, can link back to the order's first one.
 *
 * @param traceId 32 lower-case hex digits, not all zero
 * @param spanId 16 lower-case hex digits, not all zero: the span the next one is a child of
 * @param sampled whether the trace is recorded (flag {@code 01})
 */
public record Traceparent(String traceId, String spanId, boolean sampled) {

    /** The message header (and HTTP header) that carries it. */
    public static final String HEADER = "traceparent";

    private static final Pattern FORMAT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final String ZERO_TRACE = "0".repeat(32);
    private static final String ZERO_SPAN = "0".repeat(16);

    /** Reads a header's value; empty when there is none or it is not a valid version-00 trace context. */
    public static Optional<Traceparent> parse(Object value) {
        if (!(value instanceof CharSequence text)) {
            return Optional.empty();
        }
        Matcher matcher = FORMAT.matcher(text);
        if (!matcher.matches() || matcher.group(1).equals(ZERO_TRACE) || matcher.group(2).equals(ZERO_SPAN)) {
            return Optional.empty();
        }
        boolean sampled = (Integer.parseInt(matcher.group(3), 16) & 1) == 1;
        return Optional.of(new Traceparent(matcher.group(1), matcher.group(2), sampled));
    }

    /** The header's value. */
    @Override
    public String toString() {
        return "00-" + traceId + "-" + spanId + (sampled ? "-01" : "-00");
    }
}
