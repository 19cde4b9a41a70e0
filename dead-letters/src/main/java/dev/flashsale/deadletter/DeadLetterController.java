package dev.flashsale.deadletter;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The admin API of this worker's dead letters, behind the admin credentials like everything under
 * {@code /api/admin} (see the admin-security module). Errors are RFC 9457 problems ({@link DeadLetterExceptionHandler}).
 */
@RestController
@RequestMapping("/api/admin/dead-letters")
class DeadLetterController {

    static final int MAX_LIMIT = 500;

    private final DeadLetterService deadLetters;

    DeadLetterController(DeadLetterService deadLetters) {
        this.deadLetters = deadLetters;
    }

    /** The newest dead letters first (by when they were dead-lettered), with their payloads but without stack traces. */
    @GetMapping
    Page list(@RequestParam(defaultValue = "50") int limit, @RequestParam(required = false) @Nullable String group) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be between 1 and " + MAX_LIMIT + ", not " + limit);
        }
        if (group != null) {
            requireGroupKey(group);
        }
        return new Page(deadLetters.parked(), deadLetters.newest(limit, group).stream().map(Summary::of).toList());
    }

    @GetMapping("/{id}")
    Detail detail(@PathVariable long id) {
        return deadLetters.find(id).map(Detail::of).orElseThrow(() -> new DeadLetterNotFoundException(id));
    }

    @GetMapping("/groups")
    List<DeadLetterGroup> groups() {
        return deadLetters.groups();
    }

    @PostMapping("/{id}/replay")
    Replayed replay(@PathVariable long id) {
        deadLetters.replay(id);
        return new Replayed(1);
    }

    @PostMapping("/groups/{group}/replay")
    Replayed replayGroup(@PathVariable String group) {
        requireGroupKey(group);
        return new Replayed(deadLetters.replayGroup(group));
    }

    @PostMapping("/replay")
    Replayed replayAll() {
        return new Replayed(deadLetters.replayAll());
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> discard(@PathVariable long id) {
        deadLetters.discard(id);
        return ResponseEntity.noContent().build();
    }

    private static void requireGroupKey(String group) {
        if (!DeadLetterMessages.isGroupKey(group)) {
            throw new IllegalArgumentException("'" + group + "' is not a group key (16 hexadecimal digits, "
                    + "as GET /api/admin/dead-letters/groups lists them)");
        }
    }

    /**
     * The answer of a list.
     *
     * @param parked how many dead letters are parked in all
     * @param deadLetters the newest of them, at most {@code limit}
     */
    record Page(long parked, List<Summary> deadLetters) {
    }

    /**
     * The answer of a replay.
     *
     * @param replayed how many dead letters were replayed
     */
    record Replayed(int replayed) {
    }

    /** A dead letter in a list: what failed, when and why, and the payload; no stack trace, no headers. */
    record Summary(long id, @Nullable String orderId, @Nullable String eventId, String deadLetteredBy, String reason,
            String group, @Nullable String exceptionClass, @Nullable String exceptionMessage, @Nullable String thrownAt,
            @Nullable String brokerReason, Instant firstFailedAt, Instant lastFailedAt, @Nullable Integer attempts,
            int replayCount, String payload, String payloadEncoding) {

        static Summary of(DeadLetter row) {
            Payload payload = Payload.of(row.payload());
            return new Summary(row.id(), row.orderId(), row.eventId(), row.deadLetteredBy(), row.reason(), row.group(),
                    row.exceptionClass(), row.exceptionMessage(), row.thrownAt(), row.brokerReason(), row.firstFailedAt(),
                    row.lastFailedAt(), row.attempts(), row.replayCount(), payload.text(), payload.encoding());
        }
    }

    /** A dead letter in full: the summary, the stack trace, and the message's headers and properties. */
    record Detail(long id, @Nullable String orderId, @Nullable String eventId, String deadLetteredBy, String reason,
            String group, @Nullable String exceptionClass, @Nullable String exceptionMessage, @Nullable String thrownAt,
            @Nullable String brokerReason, Instant firstFailedAt, Instant lastFailedAt, @Nullable Integer attempts,
            int replayCount, String payload, String payloadEncoding, @Nullable String stackTrace,
            Map<String, Object> headers, Map<String, Object> properties) {

        static Detail of(DeadLetter row) {
            Payload payload = Payload.of(row.payload());
            return new Detail(row.id(), row.orderId(), row.eventId(), row.deadLetteredBy(), row.reason(), row.group(),
                    row.exceptionClass(), row.exceptionMessage(), row.thrownAt(), row.brokerReason(), row.firstFailedAt(),
                    row.lastFailedAt(), row.attempts(), row.replayCount(), payload.text(), payload.encoding(),
                    row.stackTrace(), row.headers(), row.properties());
        }
    }

    /** A body as text when it is UTF-8 (every event is), else in Base64, so that no byte is lost on the way. */
    private record Payload(String text, String encoding) {

        static Payload of(byte[] body) {
            try {
                return new Payload(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString(), "utf-8");
            }
            catch (CharacterCodingException ex) {
                return new Payload(Base64.getEncoder().encodeToString(body), "base64");
            }
        }
    }
}
