package dev.flashsale.system;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.testsupport.NoDelayGreenMail;
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

    static final double COST_SCALE = 0.1;

    /** The simulated costs of the three workers together at {@link #COST_SCALE}: 550, 500 and 100 ms, scaled. */
    static final Duration SCALED_COSTS = Duration.ofMillis(Math.round(1150 * COST_SCALE));

    private static GreenMail smtp;
    private static FlashSaleSystem system;

    @BeforeAll
    static void startSystem() {
        smtp = NoDelayGreenMail.startOnFreePort();
        TestBroker broker = TestBroker.get();
        system = FlashSaleSystem.builder(repository())
                .broker(broker.host(), broker.port(), broker.username(), broker.password(), broker.virtualHost())
                .smtp("127.0.0.1", smtp.getSmtp().getPort())
                .property("flashsale.worker.retry.initial-interval", "100ms")
                // A tenth of the classic downstream costs: the synchronous checkout still waits for all of them.
                .property("flashsale.worker.costs.scale", String.valueOf(COST_SCALE))
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
        ExactlyOnceAccount.Snapshot before = ExactlyOnce.baseline(system, smtp);

        Map<UUID, Integer> accepted = client.placeOrders(system.uri(Service.ORDER_SERVICE), ORDERS, 8);

        assertThat(accepted).hasSize(ORDERS);
        ExactlyOnce.assertEveryWorkerAppliedEachOrderOnce(system, smtp, accepted, client, before);
    }

    @Test
    void ordersPlacedWhileAWorkerIsKilledAndRestartedAreAllAppliedExactlyOnce() throws Exception {
        ExactlyOnceAccount.Snapshot before = ExactlyOnce.baseline(system, smtp);
        int stockBefore = client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1")).get("available").asInt();
        ServiceProcess inventory = system.process(Service.INVENTORY_WORKER);
        CompletableFuture<Map<UUID, Integer>> placing = CompletableFuture.supplyAsync(() -> place(100, 2));

        // SIGKILL while it is busy reserving: whatever it held unacknowledged comes back from the broker.
        await().until(() -> client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1"))
                .get("available").asInt() < stockBefore);
        inventory.kill();
        Map<UUID, Integer> accepted = placing.get(2, TimeUnit.MINUTES);
        inventory.start();
        inventory.awaitHealthy(Duration.ofMinutes(2));

        ExactlyOnce.assertEveryWorkerAppliedEachOrderOnce(system, smtp, accepted, client, before);
    }

    @Test
    void synchronousCheckoutAnswersOnlyOnceEveryWorkerHasAppliedTheOrder() {
        long start = System.nanoTime();
        Checkout.Answer answer = client.post(system.uri(Service.ORDER_SERVICE).resolve("/api/orders/sync"), Checkout.order(1));
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        assertThat(answer.status()).isEqualTo(201);
        assertThat(answer.json().get("status").asString()).isEqualTo("COMPLETED");
        assertThat(answer.json().get("steps").findValuesAsString("worker"))
                .containsExactly("inventory-worker", "email-worker", "analytics-worker");
        assertThat(answer.json().get("steps").findValuesAsString("outcome")).containsExactly("reserved", "sent", "applied");
        String orderId = answer.json().get("orderId").asString();
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            // Already there when the checkout answers: nothing to wait for.
            assertThat(client.get(system.uri(worker).resolve("/api/processed/" + orderId))).as(worker.module()).isNotNull();
        }
        assertThat(took).isGreaterThanOrEqualTo(SCALED_COSTS);
        assertThat(client.get(system.uri(Service.ORDER_SERVICE).resolve("/api/orders/" + orderId)).get("status").asString())
                .isEqualTo("COMPLETED");
    }

    @Test
    void withAWorkerDownTheSynchronousCheckoutFailsNamingItWhileTheAsynchronousOneAcceptsAndCatchesUp() throws Exception {
        ServiceProcess email = system.process(Service.EMAIL_WORKER);
        URI orderService = system.uri(Service.ORDER_SERVICE);
        String key = "sync-" + UUID.randomUUID();
        int stockBefore = client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1")).get("available").asInt();
        int mailsBefore = smtp.getReceivedMessages().length;

        email.stop();
        Checkout.Answer sync;
        Checkout.Answer async;
        try {
            sync = client.post(orderService.resolve("/api/orders/sync"), Checkout.order(2), "Idempotency-Key", key);
            async = client.post(orderService.resolve("/api/orders"), Checkout.order(3));
        }
        finally {
            email.start();
        }
        email.awaitHealthy(Duration.ofMinutes(2));

        assertThat(sync.status()).isEqualTo(503);
        assertThat(sync.json().get("dependency").asString()).isEqualTo("email-worker");
        assertThat(sync.json().get("appliedBy").get(0).asString()).isEqualTo("inventory-worker");
        assertThat(async.status()).isEqualTo(202);
        String asyncOrder = async.json().get("orderId").asString();
        await().atMost(Duration.ofMinutes(1)).until(() -> client.get(system.uri(Service.EMAIL_WORKER)
                .resolve("/api/processed/" + asyncOrder)) != null);

        // The client retries the failed synchronous checkout with its key: the order is finished, nothing applied twice.
        Checkout.Answer retried = client.post(orderService.resolve("/api/orders/sync"), Checkout.order(2), "Idempotency-Key", key);
        assertThat(retried.status()).isEqualTo(201);
        assertThat(retried.json().get("orderId").asString()).isEqualTo(sync.json().get("orderId").asString());
        assertThat(retried.json().get("status").asString()).isEqualTo("COMPLETED");
        await().until(() -> client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1")).get("available").asInt()
                == stockBefore - 2 - 3);
        await().until(() -> smtp.getReceivedMessages().length == mailsBefore + 2);
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
