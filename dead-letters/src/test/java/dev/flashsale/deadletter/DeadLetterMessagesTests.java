package dev.flashsale.deadletter;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;

import dev.flashsale.events.EventHeaders;
import dev.flashsale.worker.DeadLetterRecoverer;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

import static org.assertj.core.api.Assertions.assertThat;

/** What the table keeps of a dead letter, and what a replay publishes from it. */
class DeadLetterMessagesTests {

    private static final Instant NOW = Instant.parse("2030-01-02T03:04:05Z");

    @Test
    void aWorkersDeadLetterKeepsItsReasonInColumnsAndOnlyTheMessagesOwnHeaders() {
        Message message = workerDeadLetter();

        DeadLetter row = DeadLetterMessages.read(message, NOW);

        assertThat(row.deadLetteredBy()).isEqualTo(DeadLetter.BY_WORKER);
        assertThat(row.orderId()).isEqualTo("order-1");
        assertThat(row.eventId()).isEqualTo("event-1");
        assertThat(row.exceptionClass()).isEqualTo("java.lang.IllegalStateException");
        assertThat(row.exceptionMessage()).isEqualTo("Downstream down");
        assertThat(row.thrownAt()).isEqualTo("dev.flashsale.X.run(X.java:42)");
        assertThat(row.attempts()).isEqualTo(5);
        assertThat(row.firstFailedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(row.lastFailedAt()).isEqualTo(Instant.parse("2030-01-01T00:00:30Z"));
        assertThat(row.replayCount()).isZero();
        assertThat(row.reason()).isEqualTo("java.lang.IllegalStateException: Downstream down");
        assertThat(row.headers()).containsOnlyKeys(EventHeaders.EVENT_TYPE, EventHeaders.EVENT_VERSION, EventHeaders.ORDER_ID);
        assertThat(row.properties()).containsEntry("contentType", "application/json").containsEntry("contentEncoding", "UTF-8");
    }

    @Test
    void aDeadLetterOfTheBrokerKeepsTheBrokersReasonAndTime() {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId("event-2");
        properties.setHeader(EventHeaders.ORDER_ID, "order-2");
        properties.setHeader("x-death", List.of(Map.of("reason", "delivery_limit", "queue", "email.order-placed", "count", 1L,
                "time", Date.from(Instant.parse("2030-01-01T12:00:00Z")))));
        properties.setHeader("x-first-death-reason", "delivery_limit");

        DeadLetter row = DeadLetterMessages.read(new Message("{}".getBytes(StandardCharsets.UTF_8), properties), NOW);

        assertThat(row.deadLetteredBy()).isEqualTo(DeadLetter.BY_BROKER);
        assertThat(row.brokerReason()).isEqualTo("delivery_limit");
        assertThat(row.reason()).isEqualTo("delivery limit exceeded");
        assertThat(row.exceptionClass()).isNull();
        assertThat(row.attempts()).isNull();
        assertThat(row.firstFailedAt()).isEqualTo(Instant.parse("2030-01-01T12:00:00Z"));
        assertThat(row.lastFailedAt()).isEqualTo(Instant.parse("2030-01-01T12:00:00Z"));
        assertThat(row.headers()).containsOnlyKeys(EventHeaders.ORDER_ID);
    }

    @Test
    void aMessageWithoutAnyReasonIsStillKept() {
        DeadLetter row = DeadLetterMessages.read(new Message(new byte[] { (byte) 0xff, 0 }, new MessageProperties()), NOW);

        assertThat(row.deadLetteredBy()).isEqualTo(DeadLetter.BY_WORKER);
        assertThat(row.exceptionClass()).isEqualTo("unknown");
        assertThat(row.firstFailedAt()).isEqualTo(NOW);
        assertThat(row.lastFailedAt()).isEqualTo(NOW);
        assertThat(DeadLetterMessages.messageKey(row)).startsWith("sha256:");
    }

    @Test
    void aReplayPublishesTheOriginalMessageWithTheReplayCountOneHigherAndTheFirstFailureKept() {
        DeadLetter row = DeadLetterMessages.read(workerDeadLetter(), NOW);

        Message replay = DeadLetterMessages.toReplay(row);
        DeadLetter again = DeadLetterMessages.read(replay, NOW);

        MessageProperties properties = replay.getMessageProperties();
        assertThat(replay.getBody()).isEqualTo(row.payload());
        assertThat(properties.getMessageId()).isEqualTo("event-1");
        assertThat(properties.getContentType()).isEqualTo("application/json");
        assertThat(properties.getDeliveryMode()).isEqualTo(MessageDeliveryMode.PERSISTENT);
        assertThat(properties.<Integer>getHeader(EventHeaders.EVENT_VERSION)).isEqualTo(1);
        assertThat(properties.<Integer>getHeader(DeadLetterMessages.X_REPLAY_COUNT)).isEqualTo(1);
        assertThat(properties.<String>getHeader(DeadLetterRecoverer.X_FIRST_FAILED_AT)).isEqualTo("2030-01-01T00:00:00Z");
        assertThat(properties.getHeaders()).doesNotContainKeys(DeadLetterRecoverer.X_EXCEPTION_CLASS, DeadLetterRecoverer.X_ATTEMPTS);
        // A replay is a new message to the dedup of dead letters: the same message id, one replay more.
        assertThat(again.replayCount()).isEqualTo(1);
        assertThat(DeadLetterMessages.messageKey(again)).isEqualTo(DeadLetterMessages.messageKey(row));
    }

    @Test
    void theSameFailureHasTheSameGroupKeyAndAnotherPlaceAnother() {
        String group = DeadLetterMessages.group("worker", "java.lang.IllegalStateException", "a.B.c(B.java:1)", null);

        assertThat(group).matches("[0-9a-f]{16}");
        assertThat(DeadLetterMessages.isGroupKey(group)).isTrue();
        assertThat(DeadLetterMessages.group("worker", "java.lang.IllegalStateException", "a.B.c(B.java:1)", null)).isEqualTo(group);
        assertThat(DeadLetterMessages.group("worker", "java.lang.IllegalStateException", "a.B.c(B.java:2)", null)).isNotEqualTo(group);
        assertThat(DeadLetterMessages.group("broker", null, null, "delivery_limit"))
                .isNotEqualTo(DeadLetterMessages.group("broker", null, null, "expired"));
    }

    @Test
    void textIsCutToTheColumnAndLosesNulCharacters() {
        assertThat(DeadLetterMessages.text("a\u0000b", 10)).isEqualTo("ab");
        assertThat(DeadLetterMessages.text("abcdef", 4)).isEqualTo("abc…").hasSize(4);
    }

    private static Message workerDeadLetter() {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId("event-1");
        properties.setContentType("application/json");
        properties.setContentEncoding("UTF-8");
        properties.setHeader(EventHeaders.EVENT_TYPE, "order.placed");
        properties.setHeader(EventHeaders.EVENT_VERSION, 1);
        properties.setHeader(EventHeaders.ORDER_ID, "order-1");
        properties.setHeader(DeadLetterRecoverer.X_EXCEPTION_CLASS, "java.lang.IllegalStateException");
        properties.setHeader("x-exception-message", "Downstream down");
        properties.setHeader("x-exception-stacktrace", "java.lang.IllegalStateException: Downstream down\n\tat dev.flashsale.X.run(X.java:42)\n");
        properties.setHeader(DeadLetterRecoverer.X_EXCEPTION_THROWN_AT, "dev.flashsale.X.run(X.java:42)");
        properties.setHeader(DeadLetterRecoverer.X_ATTEMPTS, 5);
        properties.setHeader(DeadLetterRecoverer.X_FAILED_QUEUE, "email.order-placed");
        properties.setHeader(DeadLetterRecoverer.X_FIRST_FAILED_AT, "2030-01-01T00:00:00Z");
        properties.setHeader(DeadLetterRecoverer.X_DEAD_LETTERED_AT, "2030-01-01T00:00:30Z");
        properties.setHeader("x-original-exchange", "orders");
        properties.setHeader("x-original-routingKey", "");
        properties.setHeader("spring_returned_message_correlation", "42");
        return new Message("{\"orderId\":\"order-1\"}".getBytes(StandardCharsets.UTF_8), properties);
    }
}
