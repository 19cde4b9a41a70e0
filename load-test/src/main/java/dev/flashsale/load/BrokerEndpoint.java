package dev.flashsale.load;

import java.net.URI;

import dev.flashsale.testsupport.RabbitManagement;

/**
 * Where the RabbitMQ broker the benchmark runs against listens, and how to log in: from the environment, {@code RABBIT_HOST}, {@code RABBIT_PORT},
 * {@code RABBIT_USER}, {@code RABBIT_PASSWORD} and {@code RABBIT_MANAGEMENT_URL}, by default the broker on this
 * machine with guest/guest.
 */
record BrokerEndpoint(String host, int port, String username, String password, String managementUrl) {

    static BrokerEndpoint fromEnvironment() {
        String host = env("RABBIT_HOST", "127.0.0.1");
        return new BrokerEndpoint(host, Integer.parseInt(env("RABBIT_PORT", "5672")), env("RABBIT_USER", "guest"),
                env("RABBIT_PASSWORD", "guest"), env("RABBIT_MANAGEMENT_URL", "http://" + host + ":15672"));
    }

    /** An AMQP URI for a virtual host of this broker. */
    String amqpUri(String virtualHost) {
        return "amqp://" + username + ":" + password + "@" + host + ":" + port + "/"
                + java.net.URLEncoder.encode(virtualHost, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Its management API, as this broker's user. */
    RabbitManagement management() {
        return new RabbitManagement(URI.create(managementUrl), username, password);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
