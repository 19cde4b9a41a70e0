package dev.flashsale.security;

/** Thrown at start-up when no admin password is configured outside the {@code local} profile. */
public class MissingAdminPasswordException extends MissingPasswordException {

    MissingAdminPasswordException(String[] activeProfiles) {
        super("admin", AdminCredentials.PASSWORD, "SPRING_SECURITY_USER_PASSWORD",
                "The service has admin operations (/api/admin/**, actuator endpoints beyond health and metrics)", activeProfiles);
    }
}
