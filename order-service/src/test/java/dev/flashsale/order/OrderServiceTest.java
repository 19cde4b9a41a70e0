package dev.flashsale.order;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The order-service on a random port, against the real broker (in a virtual host of its own,
 * reached through a {@link dev.flashsale.testsupport.TcpProxy} that tests can cut) and a fresh
 * H2 file database, with test admin credentials. Every test class with this annotation shares one
 * application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "flashsale.data-dir=./target/test-data/${random.uuid}",
        "flashsale.outbox.relay-interval=200ms",
        "flashsale.outbox.relay-grace=500ms",
        "flashsale.outbox.confirm-timeout=3s",
        "flashsale.api.max-request-size=16KB",
        "spring.rabbitmq.connection-timeout=2s",
        "spring.security.user.name=" + OrderServiceTest.ADMIN,
        "spring.security.user.password=" + OrderServiceTest.ADMIN_PASSWORD,
        "flashsale.security.service.username=test-service",
        "flashsale.security.service.password=service-secret" })
@Import(TestInfrastructure.class)
public @interface OrderServiceTest {

    /** The admin user of the tests. */
    String ADMIN = "test-admin";

    /** The admin password of the tests. */
    String ADMIN_PASSWORD = "test-secret";
}
