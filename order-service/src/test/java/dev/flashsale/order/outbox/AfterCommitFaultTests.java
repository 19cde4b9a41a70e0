package dev.flashsale.order.outbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The after-commit fault as a decorator of the publisher, and the knob that makes it exist. */
class AfterCommitFaultTests {

    private final List<List<OutboxMessage>> handedOn = new ArrayList<>();

    @Test
    void withoutAFaultTheCommitGoesToThePublisherAsItIs() {
        AfterCommitFault fault = new AfterCommitFault(handedOn::add, AfterCommitFault.Mode.NONE);
        List<OutboxMessage> committed = List.of(row(1), row(2));

        fault.publishCommitted(committed);

        assertThat(handedOn).singleElement().isSameAs(committed);
    }

    @Test
    void droppingTheCommitHandsNothingOnUntilTheFaultIsOff() {
        AfterCommitFault fault = new AfterCommitFault(handedOn::add, AfterCommitFault.Mode.DROP);

        fault.publishCommitted(List.of(row(1)));
        fault.set(AfterCommitFault.Mode.NONE);
        fault.publishCommitted(List.of(row(2)));

        assertThat(handedOn).singleElement().satisfies(rows -> assertThat(rows).extracting(OutboxMessage::id).containsExactly(2L));
    }

    @Test
    void withTheKnobOffNeitherTheFaultNorItsEndpointExist() {
        new ApplicationContextRunner()
                .withPropertyValues(AfterCommitFault.KNOB + "=false")
                .withUserConfiguration(OutboxConfiguration.FaultKnob.class, FaultController.class)
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    assertThat(context).doesNotHaveBean(AfterCommitFault.class);
                    assertThat(context).doesNotHaveBean(FaultController.class);
                });
    }

    @Test
    void aStartingFaultWithoutTheKnobIsRefusedAtStartUp() {
        assertThatIllegalArgumentException().isThrownBy(() -> new OutboxProperties(true, 10_000, Duration.ofSeconds(1),
                Duration.ofSeconds(2), 500, Duration.ofSeconds(10), Duration.ofMillis(50), Duration.ofDays(7), Duration.ofMinutes(1),
                AfterCommitFault.Mode.DROP, false, Duration.ofSeconds(2), Duration.ofSeconds(10)))
                .withMessageContaining("flashsale.outbox.fault-knob=false");
    }

    private static OutboxMessage row(long id) {
        return new OutboxMessage(id, UUID.randomUUID(), UUID.randomUUID(), "order.placed", 1, "order.placed", "{}", Instant.now(), null);
    }
}
