package dev.flashsale.system;

import java.sql.SQLException;
import java.util.function.Consumer;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TestBroker;

/**
 * A system of a test class's own on PostgreSQL: a database per service (created here, dropped on close), an SMTP
 * server, and a virtual host of its own, since the history stream of the shared one holds the other system tests'
 * orders, which a rebuild would add to this system's figures. The workers' simulated costs are off, their retries
 * quick, and the JVMs use the quick compiler: several start at once on two cores. Closing it stops all it started.
 *
 * @param databases a database per service
 * @param smtp the SMTP server the email worker sends to
 * @param system the running services
 */
record PostgresSystem(PostgresDatabases databases, GreenMail smtp, FlashSaleSystem system) implements AutoCloseable {

    /**
     * Starts it; {@code more} says the rest to the builder (instances, per-service properties, a longer start).
     *
     * @param name names the virtual host and the work directory
     */
    static PostgresSystem start(String name, Consumer<FlashSaleSystem.Builder> more) throws SQLException {
        PostgresDatabases databases = PostgresDatabases.create();
        GreenMail smtp = null;
        try {
            smtp = NoDelayGreenMail.startOnFreePort();
            TestBroker broker = TestBroker.get();
            FlashSaleSystem.Builder builder = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                    .broker(broker.host(), broker.port(), broker.username(), broker.password(), broker.newVirtualHost(name))
                    .smtp("127.0.0.1", smtp.getSmtp().getPort())
                    .property("flashsale.worker.retry.initial-interval", "100ms")
                    .property("flashsale.worker.costs.scale", "0")
                    .jvmOption("-XX:TieredStopAtLevel=1")
                    .workDirectory(EndToEndSystemTests.workDirectory(name));
            more.accept(builder);
            return new PostgresSystem(databases, smtp, databases.configure(builder).start());
        }
        catch (RuntimeException ex) {
            if (smtp != null) {
                smtp.stop();
            }
            databases.close();
            throw ex;
        }
    }

    @Override
    public void close() throws SQLException {
        try {
            system.close();
            smtp.stop();
        }
        finally {
            databases.close();
        }
    }
}
