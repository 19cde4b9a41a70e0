package dev.flashsale.labs;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URISyntaxException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.http.client.Client;
import com.rabbitmq.http.client.ClientParameters;
import com.rabbitmq.http.client.JdkHttpClientHttpLayer;

/**
 * Connects a lab to RabbitMQ, found through the same environment variables as {@code scripts/flashsale.sh}
 * ({@code RABBIT_HOST}, {@code RABBIT_PORT}, {@code RABBIT_USER}, {@code RABBIT_PASSWORD}, {@code RABBIT_VHOST},
 * {@code RABBIT_MANAGEMENT_PORT}; default localhost:5672, guest/guest, virtual host {@code /}, management on 15672):
 * an AMQP connection, or a client of the management API.
 */
final class RabbitConnector {

    private RabbitConnector() {
    }

    static Connection connect(String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(host());
        factory.setPort(Integer.parseInt(env("RABBIT_PORT", "5672")));
        factory.setUsername(username());
        factory.setPassword(password());
        factory.setVirtualHost(virtualHost());
        // A lab shows what the broker does when a client goes away; a client that reconnects by itself would hide it.
        factory.setAutomaticRecoveryEnabled(false);
        try {
            return factory.newConnection("lab " + name);
        }
        catch (IOException ex) {
            throw new IOException("No RabbitMQ broker answers on " + factory.getHost() + ":" + factory.getPort()
                    + " (virtual host " + factory.getVirtualHost() + "); start one (scripts/flashsale.sh start says how)"
                    + " or set RABBIT_HOST / RABBIT_PORT", ex);
        }
    }

    /**
     * RabbitMQ's own client of its management API, on the JDK's HTTP client with the library's own connect and request
     * timeouts. (A request customizer of our own would replace the library's, which is what sends the credentials.)
     */
    static Client management() throws MalformedURLException, URISyntaxException {
        return new Client(new ClientParameters()
                .url(managementUrl())
                .username(username())
                .password(password())
                .httpLayerFactory(JdkHttpClientHttpLayer.configure().create()));
    }

    static String managementUrl() {
        return "http://" + host() + ":" + env("RABBIT_MANAGEMENT_PORT", "15672") + "/api/";
    }

    static String virtualHost() {
        return env("RABBIT_VHOST", "/");
    }

    private static String host() {
        return env("RABBIT_HOST", "localhost");
    }

    private static String username() {
        return env("RABBIT_USER", "guest");
    }

    private static String password() {
        return env("RABBIT_PASSWORD", "guest");
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
