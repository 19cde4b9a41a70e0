package dev.flashsale.worker;

import java.util.List;

import org.junit.jupiter.api.Test;

import org.springframework.amqp.listener.ListenerExecutionFailedException;
import org.springframework.dao.QueryTimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

class FailureClassifierTests {

    private final FailureClassifier classifier = new FailureClassifier(List.of(IllegalArgumentException.class));

    @Test
    void transientFailuresAreRetryable() {
        assertThat(classifier.isRetryable(wrapped(new QueryTimeoutException("slow")))).isTrue();
        assertThat(classifier.isRetryable(new IllegalStateException("down"))).isTrue();
    }

    @Test
    void unreadableEventsAreNeverRetried() {
        assertThat(classifier.isRetryable(wrapped(new UnreadableEventException("malformed")))).isFalse();
    }

    @Test
    void configuredTypesAnywhereInTheCauseChainAreNotRetried() {
        assertThat(classifier.isRetryable(wrapped(new RuntimeException(new IllegalArgumentException("bad"))))).isFalse();
        assertThat(classifier.isRetryable(new NumberFormatException("a subtype of IllegalArgumentException"))).isFalse();
    }

    @Test
    void rootCauseUnwrapsTheListenerContainersWrapper() {
        IllegalStateException failure = new IllegalStateException("down");

        assertThat(FailureClassifier.rootCause(wrapped(failure))).isSameAs(failure);
    }

    private static ListenerExecutionFailedException wrapped(Throwable cause) {
        return new ListenerExecutionFailedException("Listener threw exception", cause);
    }
}
