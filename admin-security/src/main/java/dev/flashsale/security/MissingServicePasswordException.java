package dev.flashsale.security;

/** Thrown at start-up when no service password is configured outside the {@code local} profile. */
public class MissingServicePasswordException extends MissingPasswordException {

    MissingServicePasswordException(String[] activeProfiles) {
        super("service", ServiceCredentials.PASSWORD, "FLASHSALE_SECURITY_SERVICE_PASSWORD",
                "The services call each other (the synchronous checkout applies each order in each worker)", activeProfiles);
    }
}
