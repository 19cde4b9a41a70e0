package dev.flashsale.security;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The credentials this service presents to the others, and accepts from them ({@link ServiceCredentials} says where
 * they come from).
 *
 * @param username the service user's name
 * @param password its password
 */
@ConfigurationProperties("flashsale.security.service")
public record ServiceCredentialsProperties(String username, String password) {

    @Override
    public String toString() {
        return "ServiceCredentialsProperties[username=" + username + ", password=(hidden)]";
    }
}
