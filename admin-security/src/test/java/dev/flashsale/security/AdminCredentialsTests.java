package dev.flashsale.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Outside the {@code local} profile there is no default admin password, and no start without one. */
@ExtendWith(OutputCaptureExtension.class)
class AdminCredentialsTests {

    private final AdminCredentials credentials = new AdminCredentials();

    @Test
    void withoutAPasswordOutsideTheLocalProfileTheServiceRefusesToStart() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles("postgres");

        assertThatThrownBy(() -> credentials.postProcessEnvironment(environment, new SpringApplication()))
                .isInstanceOf(MissingAdminPasswordException.class)
                .hasMessageContaining("spring.security.user.password")
                .hasMessageContaining("SPRING_SECURITY_USER_PASSWORD");
    }

    @Test
    void aBlankPasswordIsNoPassword() {
        MockEnvironment environment = new MockEnvironment().withProperty(AdminCredentials.PASSWORD, "  ");

        assertThatThrownBy(() -> credentials.postProcessEnvironment(environment, new SpringApplication()))
                .isInstanceOf(MissingAdminPasswordException.class);
    }

    @Test
    void theLocalProfileHasTheDevelopmentDefault() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles("postgres", AdminCredentials.LOCAL_PROFILE);

        credentials.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(AdminCredentials.NAME)).isEqualTo("admin");
        assertThat(environment.getProperty(AdminCredentials.PASSWORD)).isEqualTo("admin");
    }

    @Test
    void configuredCredentialsWinOverTheDefaultsAlsoInTheLocalProfile() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty(AdminCredentials.NAME, "ops")
                .withProperty(AdminCredentials.PASSWORD, "s3cret");
        environment.setActiveProfiles(AdminCredentials.LOCAL_PROFILE);

        credentials.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(AdminCredentials.NAME)).isEqualTo("ops");
        assertThat(environment.getProperty(AdminCredentials.PASSWORD)).isEqualTo("s3cret");
    }

    @Test
    void aConfiguredPasswordIsEnoughAndTheNameDefaultsToAdmin() {
        MockEnvironment environment = new MockEnvironment().withProperty(AdminCredentials.PASSWORD, "s3cret");

        credentials.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(AdminCredentials.NAME)).isEqualTo("admin");
    }

    @Test
    void anApplicationStartedWithoutAPasswordFailsAndSaysWhatToSet(CapturedOutput output) {
        SpringApplication application = new SpringApplication(EmptyApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        // The command line outranks the environment, so a password set on this machine cannot hide the failure.
        assertThatThrownBy(() -> application.run("--spring.security.user.password=", "--flashsale.security.service.password=s3cret",
                "--spring.profiles.active=postgres"))
                .isInstanceOf(MissingAdminPasswordException.class);

        assertThat(output).contains("APPLICATION FAILED TO START", "SPRING_SECURITY_USER_PASSWORD", "'local' profile");
    }

    @Test
    void anApplicationStartedInTheLocalProfileStartsWithoutAConfiguredPassword() {
        SpringApplication application = new SpringApplication(EmptyApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        try (ConfigurableApplicationContext context = application.run("--spring.profiles.active=" + AdminCredentials.LOCAL_PROFILE)) {
            assertThat(context.getEnvironment().getProperty(AdminCredentials.PASSWORD)).isNotBlank();
        }
    }

    /** Nothing but a configuration: the check runs before any bean exists. */
    @SpringBootConfiguration(proxyBeanMethods = false)
    static class EmptyApplication {
    }
}
