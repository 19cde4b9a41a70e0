package dev.flashsale.worker.demo;

import java.time.Duration;
import java.util.Map;

import dev.flashsale.worker.WorkerProperties;

import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The demo switches, together: the fault knobs ({@link FaultInjector}, {@code /api/admin/faults}), the simulated
 * downstream costs ({@link SimulatedCosts}) and the consumption switch ({@link ConsumptionSwitch},
 * {@code /api/admin/consumption}). They are there for the demo and the labs, and on by default, since those need them.
 *
 * <p>{@code flashsale.worker.demo.enabled=false} switches them all off at once: no fault is injected and the knobs'
 * endpoint is gone, no downstream cost is simulated, and consumption cannot be stopped over HTTP. The pipeline still
 * asks the knobs and the costs (they are then "none"), so that it has one way of applying an order either way.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(SimulatedCosts.Properties.class)
public class DemoSwitches {

    /** The property that switches every demo switch off; on when absent. */
    public static final String ENABLED = "flashsale.worker.demo.enabled";

    private final boolean enabled;

    DemoSwitches(Environment environment) {
        this.enabled = environment.getProperty(ENABLED, Boolean.class, true);
    }

    @Bean
    FaultInjector faultInjector(WorkerProperties properties) {
        return new FaultInjector(enabled ? properties.faults() : new WorkerProperties.Faults(0, Duration.ZERO, 0));
    }

    @Bean
    SimulatedCosts simulatedCosts(SimulatedCosts.Properties costs) {
        return new SimulatedCosts(enabled ? costs : new SimulatedCosts.Properties(Map.of(), 0));
    }

    /** Also what the stats read ({@code consuming}, {@code consumers}): there whether or not it can be switched. */
    @Bean
    ConsumptionSwitch consumptionSwitch(RabbitListenerEndpointRegistry registry) {
        return new ConsumptionSwitch(registry);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
    FaultController faultController(FaultInjector faults) {
        return new FaultController(faults);
    }

    @Bean
    @ConditionalOnBooleanProperty(name = ENABLED, matchIfMissing = true)
    ConsumptionSwitchController consumptionSwitchController(ConsumptionSwitch consumption) {
        return new ConsumptionSwitchController(consumption);
    }
}
