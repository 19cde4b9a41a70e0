package dev.flashsale.security;

import java.util.Arrays;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing admin password into Spring Boot's start-up report: what is wrong, and what to set. */
class MissingAdminPasswordFailureAnalyzer extends AbstractFailureAnalyzer<MissingAdminPasswordException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingAdminPasswordException cause) {
        return new FailureAnalysis(
                "The service has admin operations (/api/admin/**, actuator endpoints beyond health and metrics) "
                        + "and no admin password is configured. Active profiles: "
                        + Arrays.toString(cause.activeProfiles()) + ".",
                "Set spring.security.user.password (environment variable SPRING_SECURITY_USER_PASSWORD), and "
                        + "spring.security.user.name (SPRING_SECURITY_USER_NAME) unless 'admin' suits you. "
                        + "On a developer's laptop, run with the 'local' profile instead: its credentials are admin/admin.",
                cause);
    }
}
