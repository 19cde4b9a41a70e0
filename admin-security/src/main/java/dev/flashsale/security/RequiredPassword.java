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
 * A user name and password that every service needs, with a default password only in the {@code local} profile:
 * anywhere else a service without one refuses to start, with a {@link MissingPasswordException} that names the
 * setting.
 *
 * <p>Without this check Spring Boot would generate a random admin password at start-up and log it: the service would
 * run with credentials nobody chose, printed in a log file that more people read than should; and a service
 * credential nobody set would let no service call another. A start-up failure that names the setting is the safer
 * and clearer answer.
 */
abstract class RequiredPassword implements EnvironmentPostProcessor, Ordered {

    /** The profile of a developer's laptop (the run script, docker compose), where the defaults are fine. */
    static final String LOCAL_PROFILE = "local";

    private final String nameProperty;
    private final String defaultName;
    private final String passwordProperty;
    private final String localPassword;

    RequiredPassword(String nameProperty, String defaultName, String passwordProperty, String localPassword) {
        this.nameProperty = nameProperty;
        this.defaultName = defaultName;
        this.passwordProperty = passwordProperty;
        this.localPassword = localPassword;
    }

    /** The exception a service without the password refuses to start with. */
    abstract MissingPasswordException missing(String[] activeProfiles);

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        boolean local = environment.acceptsProfiles(Profiles.of(LOCAL_PROFILE));
        // Lowest precedence: a configured name or password (file, profile, environment, command line) always wins.
        environment.getPropertySources().addLast(new MapPropertySource(getClass().getSimpleName(),
                local ? Map.of(nameProperty, defaultName, passwordProperty, localPassword) : Map.of(nameProperty, defaultName)));
        if (!StringUtils.hasText(environment.getProperty(passwordProperty))) {
            throw missing(environment.getActiveProfiles());
        }
    }

    @Override
    public int getOrder() {
        // After the config files are read, so that the active profiles and the configured password are known.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
