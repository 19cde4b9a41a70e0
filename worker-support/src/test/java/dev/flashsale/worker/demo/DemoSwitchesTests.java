package dev.flashsale.worker.demo;

import java.time.Duration;
import java.util.Map;

import dev.flashsale.worker.WorkerProperties;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/** One property switches every demo switch off; without it they are on, as the demo needs. */
class DemoSwitchesTests {

    private final ApplicationContextRunner context = new ApplicationContextRunner()
            .withUserConfiguration(Pipeline.class, DemoSwitches.class)
            .withPropertyValues("flashsale.worker.queue=email.order-placed", "flashsale.worker.faults.failure-rate=0.5",
                    "flashsale.worker.costs.steps.send-email=300ms");

    @Test
    void theDemoSwitchesAreOnByDefault() {
        context.run(app -> {
            assertThat(app.getBean(FaultInjector.class).active()).isTrue();
            assertThat(app.getBean(SimulatedCosts.class).steps()).containsEntry("send-email", Duration.ofMillis(300));
            assertThat(app).hasSingleBean(FaultController.class).hasSingleBean(ConsumptionSwitchController.class);
        });
    }

    @Test
    void oneFalsePropertySwitchesThemAllOffWhateverTheirOwnSettingsSay() {
        context.withPropertyValues(DemoSwitches.ENABLED + "=false").run(app -> {
            assertThat(app.getBean(FaultInjector.class).active()).isFalse();
            assertThat(app.getBean(SimulatedCosts.class).steps()).isEqualTo(Map.of());
            assertThat(app).doesNotHaveBean(FaultController.class).doesNotHaveBean(ConsumptionSwitchController.class);
            // The stats still read whether the worker consumes.
            assertThat(app).hasSingleBean(ConsumptionSwitch.class);
        });
    }

    /** What the demo switches take from the pipeline: its settings and the listener containers' registry. */
    @Configuration(proxyBeanMethods = false)
    @EnableConfigurationProperties(WorkerProperties.class)
    static class Pipeline {

        @Bean
        RabbitListenerEndpointRegistry registry() {
            return new RabbitListenerEndpointRegistry();
        }
    }
}
