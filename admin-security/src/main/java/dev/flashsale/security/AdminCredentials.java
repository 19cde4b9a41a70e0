package dev.flashsale.security;

/**
 * The admin credentials of every service: Spring Security's {@code spring.security.user.name} (default
 * {@code admin}) and {@code spring.security.user.password}, which has a default ({@code admin}) only in the
 * {@code local} profile. Anywhere else a service without a password refuses to start.
 */
public class AdminCredentials extends RequiredPassword {

    /** The profile of a developer's laptop (the run script, docker compose), where {@code admin}/{@code admin} is fine. */
    public static final String LOCAL_PROFILE = RequiredPassword.LOCAL_PROFILE;

    static final String NAME = "spring.security.user.name";
    static final String PASSWORD = "spring.security.user.password";

    public AdminCredentials() {
        super(NAME, "admin", PASSWORD, "admin");
    }

    @Override
    MissingPasswordException missing(String[] activeProfiles) {
        return new MissingAdminPasswordException(activeProfiles);
    }
}
