package dev.flashsale.security;

import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.Profiles;
import org.springframework.util.StringUtils;

/**
 * The admin credentials of every service: Spring Security's {@code spring.security.user.name} (default
 * {@code admin}) and {@code spring.security.user.password}, which has a default ({@code admin}) only in the
 * {@code local} profile. Anywhere else a service without a password refuses to start.
 *
 * <p>Without this check Spring Boot would generate a random password at start-up and log it: the service
 * would run with credentials nobody chose, printed in a log file that more people read than should. A
 * start-up failure that names the setting is the safer and clearer answer.
 */
public class AdminCredentials implements EnvironmentPostProcessor, Ordered {

    /** The profile of a developer's laptop (the run script, docker compose), where {@code admin}/{@code admin} is fine. */
    public static final String LOCAL_PROFILE = "local";

    static final String NAME = "spring.security.user.name";
    static final String PASSWORD = "spring.security.user.password";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean local = environment.acceptsProfiles(Profiles.of(LOCAL_PROFILE));
        // Lowest precedence: a configured name or password (file, profile, environment, command line) always wins.
        environment.getPropertySources().addLast(new MapPropertySource("flashsaleAdminCredentials",
                local ? Map.of(NAME, "admin", PASSWORD, "admin") : Map.of(NAME, "admin")));
        if (!StringUtils.hasText(environment.getProperty(PASSWORD))) {
            throw new MissingAdminPasswordException(environment.getActiveProfiles());
        }
    }

    @Override
    public int getOrder() {
        // After the config files are read, so that the active profiles and the configured password are known.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
