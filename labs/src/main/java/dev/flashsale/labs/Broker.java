package dev.flashsale.labs;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Where the labs find RabbitMQ: the same environment variables as {@code scripts/flashsale.sh}
 * ({@code RABBIT_HOST}, {@code RABBIT_PORT}, {@code RABBIT_USER}, {@code RABBIT_PASSWORD}, {@code RABBIT_VHOST};
 * default localhost:5672, guest/guest, virtual host {@code /}).
 */
final class Broker {

    private Broker() {
    }

    static Connection connect(String name) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(env("RABBIT_HOST", "localhost"));
        factory.setPort(Integer.parseInt(env("RABBIT_PORT", "5672")));
        factory.setUsername(env("RABBIT_USER", "guest"));
        factory.setPassword(env("RABBIT_PASSWORD", "guest"));
        factory.setVirtualHost(env("RABBIT_VHOST", "/"));
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

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
