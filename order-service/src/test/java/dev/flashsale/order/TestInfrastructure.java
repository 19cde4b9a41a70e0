package dev.flashsale.order;

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

    /** The service reaches the broker only through the proxy; the probe reaches it directly. */
    @Bean
    DynamicPropertyRegistrar brokerProperties(TcpProxy brokerProxy) {
        return registry -> {
            TestBroker.get().register(registry);
            registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
            registry.add("spring.rabbitmq.port", brokerProxy::port);
        };
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
