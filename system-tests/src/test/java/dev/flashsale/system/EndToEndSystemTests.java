package dev.flashsale.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole system as it runs by default (each service with its embedded H2 database), started from the
 * built jars as four processes, against the real broker (a virtual host of its own) and a real SMTP server.
 */
class EndToEndSystemTests {

    static final int ORDERS = 200;

    private static GreenMail smtp;
    private static FlashSaleSystem system;

    @BeforeAll
    static void startSystem() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
        TestBroker broker = TestBroker.get();
        system = FlashSaleSystem.builder(repository())
                .broker(broker.host(), broker.port(), broker.username(), broker.password(), broker.virtualHost())
                .smtp("127.0.0.1", smtp.getSmtp().getPort())
                .property("flashsale.worker.retry.initial-interval", "100ms")
                // Four JVMs start at once on two cores: the quick compiler shortens that a lot.
                .jvmOption("-XX:TieredStopAtLevel=1")
                .workDirectory(EndToEndSystemTests.workDirectory("h2"))
                .start();
    }

    @AfterAll
    static void stopSystem() {
        try {
            if (system != null) {
                system.close();
            }
        }
        finally {
            smtp.stop();
        }
    }

    private final Checkout client = new Checkout();

    @Test
    void everyAcceptedOrderIsAppliedExactlyOnceByEveryWorker() throws Exception {
        ExactlyOnce.Baseline before = ExactlyOnce.Baseline.take(system, smtp, client);

        Map<UUID, Integer> accepted = client.placeOrders(system.uri(Service.ORDER_SERVICE), ORDERS, 8);

        assertThat(accepted).hasSize(ORDERS);
        ExactlyOnce.assertEveryWorkerAppliedEachOrderOnce(system, smtp, accepted, client, before);
    }

    @Test
    void ordersPlacedWhileAWorkerIsKilledAndRestartedAreAllAppliedExactlyOnce() throws Exception {
        ExactlyOnce.Baseline before = ExactlyOnce.Baseline.take(system, smtp, client);
        ServiceProcess inventory = system.process(Service.INVENTORY_WORKER);
        CompletableFuture<Map<UUID, Integer>> placing = CompletableFuture.supplyAsync(() -> place(100, 2));

        // SIGKILL while it is busy reserving: whatever it held unacknowledged comes back from the broker.
        await().until(() -> client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1"))
                .get("available").asInt() < before.stockLeft());
        inventory.kill();
        Map<UUID, Integer> accepted = placing.get(2, TimeUnit.MINUTES);
        inventory.start();
        inventory.awaitHealthy(Duration.ofMinutes(2));

        ExactlyOnce.assertEveryWorkerAppliedEachOrderOnce(system, smtp, accepted, client, before);
    }

    private Map<UUID, Integer> place(int orders, int parallelism) {
        try {
            return client.placeOrders(system.uri(Service.ORDER_SERVICE), orders, parallelism);
        }
        catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Logs and databases of a run, under target/ so that they are there to read after a failure. */
    static Path workDirectory(String name) {
        return Path.of("target", "system-runs", name + "-" + System.currentTimeMillis()).toAbsolutePath();
    }

    static Path repository() {
        return Path.of(System.getProperty("flashsale.repository", ".."));
    }
}
