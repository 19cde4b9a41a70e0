package dev.flashsale.security;

/**
 * The credentials one service presents to another ({@code flashsale.security.service.username}, default
 * {@code order-service}, and {@code .password}, which has a default, {@code order-service}, only in the {@code local}
 * profile): the synchronous checkout calls each worker's {@code PUT /api/processed/{orderId}} with them, and the
 * workers refuse that call from anyone else. They are not the admin's: a service that calls another can apply an
 * order there, and nothing more. Outside the {@code local} profile a service without the password refuses to start,
 * as it does without the admin's.
 */
public class ServiceCredentials extends RequiredPassword {

    static final String NAME = "flashsale.security.service.username";
    static final String PASSWORD = "flashsale.security.service.password";

    public ServiceCredentials() {
        super(NAME, "order-service", PASSWORD, "order-service");
    }

    @Override
    MissingPasswordException missing(String[] activeProfiles) {
        return new MissingServicePasswordException(activeProfiles);
    }
}
