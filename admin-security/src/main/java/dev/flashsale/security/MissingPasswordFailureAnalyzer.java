package dev.flashsale.security;

import java.util.Arrays;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/** Turns a missing password into Spring Boot's start-up report: what is wrong, and what to set. */
class MissingPasswordFailureAnalyzer extends AbstractFailureAnalyzer<MissingPasswordException> {

    @Override
    protected FailureAnalysis analyze(Throwable rootFailure, MissingPasswordException cause) {
        return new FailureAnalysis(
                cause.purpose() + " and no password for it is configured. Active profiles: " + Arrays.toString(cause.activeProfiles()) + ".",
                "Set " + cause.setting() + " (environment variable " + cause.environmentVariable() + "). "
                        + "On a developer's laptop, run with the '" + RequiredPassword.LOCAL_PROFILE + "' profile instead: it has defaults "
                        + "(admin/admin for the admin, order-service/order-service between the services).",
                cause);
    }
}
