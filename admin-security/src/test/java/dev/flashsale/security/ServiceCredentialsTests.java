package dev.flashsale.security;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The credentials between the services: like the admin's, no default outside the {@code local} profile. */
@ExtendWith(OutputCaptureExtension.class)
class ServiceCredentialsTests {

    private final ServiceCredentials credentials = new ServiceCredentials();

    @Test
    void withoutAPasswordOutsideTheLocalProfileTheServiceRefusesToStart() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles("postgres");

        assertThatThrownBy(() -> credentials.postProcessEnvironment(environment, new SpringApplication()))
                .isInstanceOf(MissingServicePasswordException.class)
                .hasMessageContaining("flashsale.security.service.password")
                .hasMessageContaining("FLASHSALE_SECURITY_SERVICE_PASSWORD");
    }

    @Test
    void theLocalProfileHasTheDevelopmentDefault() {
        MockEnvironment environment = new MockEnvironment();
        environment.setActiveProfiles(RequiredPassword.LOCAL_PROFILE);

        credentials.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(ServiceCredentials.NAME)).isEqualTo("order-service");
        assertThat(environment.getProperty(ServiceCredentials.PASSWORD)).isEqualTo("order-service");
    }

    @Test
    void configuredCredentialsWinOverTheDefaultsAlsoInTheLocalProfile() {
        MockEnvironment environment = new MockEnvironment()
                .withProperty(ServiceCredentials.NAME, "checkout")
                .withProperty(ServiceCredentials.PASSWORD, "s3cret");
        environment.setActiveProfiles(RequiredPassword.LOCAL_PROFILE);

        credentials.postProcessEnvironment(environment, new SpringApplication());

        assertThat(environment.getProperty(ServiceCredentials.NAME)).isEqualTo("checkout");
        assertThat(environment.getProperty(ServiceCredentials.PASSWORD)).isEqualTo("s3cret");
    }

    @Test
    void anApplicationStartedWithoutAServicePasswordFailsAndSaysWhatToSet(CapturedOutput output) {
        SpringApplication application = new SpringApplication(AdminCredentialsTests.EmptyApplication.class);
        application.setWebApplicationType(WebApplicationType.NONE);

        assertThatThrownBy(() -> application.run("--spring.security.user.password=s3cret", "--flashsale.security.service.password=",
                "--spring.profiles.active=postgres"))
                .isInstanceOf(MissingServicePasswordException.class);

        assertThat(output).contains("APPLICATION FAILED TO START", "FLASHSALE_SECURITY_SERVICE_PASSWORD", "'local' profile");
    }
}
