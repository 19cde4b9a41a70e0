package dev.flashsale.worker;

import java.util.UUID;

import dev.flashsale.testsupport.TcpProxy;
import dev.flashsale.testsupport.TestBroker;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.test.context.DynamicPropertyRegistrar;

/** What the worker-support tests run against: the real broker behind a proxy to cut, and a database of their own. */
@TestConfiguration(proxyBeanMethods = false)
public class WorkerTestInfrastructure {

    @Bean(destroyMethod = "close")
    TcpProxy brokerProxy() {
        TestBroker broker = TestBroker.get();
        return new TcpProxy(broker.host(), broker.port());
    }

    /** The worker reaches the broker only through the proxy. */
    @Bean
    DynamicPropertyRegistrar infrastructureProperties(TcpProxy brokerProxy) {
        String database = "jdbc:h2:file:./target/test-db/" + UUID.randomUUID();
        return registry -> {
            TestBroker.get().register(registry);
            registry.add("spring.rabbitmq.host", () -> "127.0.0.1");
            registry.add("spring.rabbitmq.port", brokerProxy::port);
            registry.add("spring.datasource.url", () -> database);
        };
    }
}
