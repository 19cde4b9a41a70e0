package dev.flashsale.order.outbox;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

/** The outbox's parts that are not simply components: the rows' bookkeeping, with its clock, and the fault knob. */
@Configuration(proxyBeanMethods = false)
class OutboxConfiguration {

    @Bean
    RowsOnTheirWay rowsOnTheirWay(OutboxProperties properties) {
        return new RowsOnTheirWay(properties.confirmTimeout(), System::nanoTime);
    }

    /**
     * The after-commit fault, in front of the publisher, and its admin endpoint ({@link FaultController}, under the same
     * condition): on by default, because the demos and the fault tests break the publish with it; a deployment that wants
     * no fault on its checkout's path sets {@value AfterCommitFault#KNOB} to false, and then nothing of it exists.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnBooleanProperty(name = AfterCommitFault.KNOB, matchIfMissing = true)
    static class FaultKnob {

        /** Primary: the {@link Outbox} hands its commits to the fault, which hands them to the publisher. */
        @Bean
        @Primary
        AfterCommitFault afterCommitFault(OutboxPublisher publisher, OutboxProperties properties) {
            return new AfterCommitFault(publisher, properties.afterCommitFault());
        }
    }
}
