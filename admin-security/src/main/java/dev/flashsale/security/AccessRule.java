package dev.flashsale.security;

import org.springframework.http.HttpMethod;

/**
 * A request a service opens beyond the default rule, which is: reading ({@code GET}) is open, and anything else (every
 * request that may change state) needs the admin credentials. A service declares each exception as a bean, next to
 * the code it opens: the public checkout for anyone, a worker's synchronous endpoint for the other services.
 *
 * @param method the HTTP method
 * @param path the path pattern, e.g. {@code /api/processed/*}
 * @param caller who may make the request
 */
public record AccessRule(HttpMethod method, String path, Caller caller) {

    /** Who may make a request that an {@link AccessRule} opens. */
    public enum Caller {

        /** Anyone, without credentials: the public checkout. */
        ANYONE,

        /** Another service of the system, with the service credentials ({@link ServiceCredentials}). */
        SERVICES
    }

    /** A request open to anyone. */
    public static AccessRule anyone(HttpMethod method, String path) {
        return new AccessRule(method, path, Caller.ANYONE);
    }

    /** A request that only the other services of the system may make. */
    public static AccessRule services(HttpMethod method, String path) {
        return new AccessRule(method, path, Caller.SERVICES);
    }
}
