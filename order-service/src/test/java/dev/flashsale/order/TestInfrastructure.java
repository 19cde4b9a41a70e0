package dev.flashsale.order;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

import dev.flashsale.testsupport.TcpProxy;
import dev.flashsale.testsupport.TestBroker;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.test.context.DynamicPropertyRegistrar;

/** What the order-service's tests run against: the real broker, a proxy to cut, a probe, an HTTP client. */
@TestConfiguration(proxyBeanMethods = false)
public class TestInfrastructure {

    @Bean(destroyMethod = "close")
    TcpProxy brokerProxy() {
        TestBroker broker = TestBroker.get();
        return new TcpProxy(broker.host(), broker.port());
    }

    /**
     * The service reaches the broker only through the proxy; the probe reaches it directly. No worker runs in
     * these tests: the synchronous checkout finds a closed port where each should be, as when they are down.
     */
    @Bean
    DynamicPropertyRegistrar brokerProperties(TcpProxy brokerProxy) {
        String nowhere = "http://127.0.0.1:" + closedPort();
        return registry -> {
            TestBroker.get().register(registry);
            registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
            registry.add("spring.rabbitmq.port", brokerProxy::port);
            registry.add("flashsale.downstream.inventory-url", () -> nowhere);
            registry.add("flashsale.downstream.email-url", () -> nowhere);
            registry.add("flashsale.downstream.analytics-url", () -> nowhere);
        };
    }

    /** A port nothing listens on: taken from the operating system, then given back. */
    private static int closedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Bean(destroyMethod = "close")
    QueueProbe queueProbe() {
        return new QueueProbe(TestBroker.get());
    }

    @Bean
    TestApi testApi(Environment environment) {
        return new TestApi(() -> environment.getRequiredProperty("local.server.port", Integer.class));
    }
}
