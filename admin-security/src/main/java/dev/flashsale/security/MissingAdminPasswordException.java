package dev.flashsale.security;

import java.util.Arrays;

/** Thrown at start-up when no admin password is configured outside the {@code local} profile. */
public class MissingAdminPasswordException extends IllegalStateException {

    private final String[] activeProfiles;

    MissingAdminPasswordException(String[] activeProfiles) {
        super("No admin password is configured (spring.security.user.password, environment variable "
                + "SPRING_SECURITY_USER_PASSWORD); only the '" + AdminCredentials.LOCAL_PROFILE
                + "' profile has a default. Active profiles: " + Arrays.toString(activeProfiles));
        this.activeProfiles = activeProfiles.clone();
    }

    /** The profiles that were active when the service refused to start. */
    public String[] activeProfiles() {
        return activeProfiles.clone();
    }
}
