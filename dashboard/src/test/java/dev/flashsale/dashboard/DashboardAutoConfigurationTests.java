package dev.flashsale.dashboard;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard comes with a checkout to show, and only with one: a service on whose class path the module is, and
 * which declares no {@link CheckoutView}, gets none of it. (With one, the order-service's tests show it whole.)
 */
class DashboardAutoConfigurationTests {

    @Test
    void withoutACheckoutViewThereIsNoDashboard() {
        new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(DashboardAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(DashboardService.class)
                        .doesNotHaveBean(WorkerAdminRelay.class).doesNotHaveBean(PoisonMessageController.class));
    }
}
