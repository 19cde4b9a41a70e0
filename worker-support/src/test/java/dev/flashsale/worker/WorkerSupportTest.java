package dev.flashsale.worker;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * The test worker ({@link TestWorkerApplication}) on a random port, against the real broker (in a virtual host of
 * its own, reached through a {@link dev.flashsale.testsupport.TcpProxy} that tests can cut) and a fresh H2 file
 * database. Every test class with this annotation shares one application context.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@SpringBootTest(classes = TestWorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(WorkerTestInfrastructure.class)
public @interface WorkerSupportTest {

    /** The admin user of the tests (application.yml). */
    String ADMIN = "test-admin";

    /** The admin password of the tests (application.yml). */
    String ADMIN_PASSWORD = "test-secret";

    /** The user the other services call this worker as, in the tests (application.yml). */
    String SERVICE = "test-service";

    /** Its password (application.yml). */
    String SERVICE_PASSWORD = "service-secret";
}
