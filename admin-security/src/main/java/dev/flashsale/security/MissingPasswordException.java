package dev.flashsale.security;

import java.util.Arrays;

/** Thrown at start-up when a password every service needs is not configured, outside the {@code local} profile. */
public class MissingPasswordException extends IllegalStateException {

    private final String setting;
    private final String environmentVariable;
    private final String purpose;
    private final String[] activeProfiles;

    MissingPasswordException(String what, String setting, String environmentVariable, String purpose, String[] activeProfiles) {
        super("No " + what + " password is configured (" + setting + ", environment variable " + environmentVariable + "); only the '"
                + RequiredPassword.LOCAL_PROFILE + "' profile has a default. Active profiles: " + Arrays.toString(activeProfiles));
        this.setting = setting;
        this.environmentVariable = environmentVariable;
        this.purpose = purpose;
        this.activeProfiles = activeProfiles.clone();
    }

    /** The property to set. */
    public String setting() {
        return setting;
    }

    /** The same, as an environment variable. */
    public String environmentVariable() {
        return environmentVariable;
    }

    /** What the password protects, for the start-up report. */
    public String purpose() {
        return purpose;
    }

    /** The profiles that were active when the service refused to start. */
    public String[] activeProfiles() {
        return activeProfiles.clone();
    }
}
