package dev.flashsale.system;

import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.testsupport.TcpProxy;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processes of every service on one PostgreSQL database per service, as behind a load balancer: the checkout's
 * orders go to each order-service instance in turn, and each work queue has consumers in two processes.
 *
 * <p>The order-services reach the broker through a proxy the tests can cut; the workers reach it directly.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaledSystemTests {

    private static final Logger log = LoggerFactory.getLogger(ScaledSystemTests.class);

    static final int INSTANCES = 2;
    static final int RATE = 40;
    static final Duration PATIENCE = Duration.ofSeconds(90);

    private static PostgresSystem postgres;
    private static PostgresDatabases databases;
    private static GreenMail smtp;
    private static TcpProxy checkoutBroker;
    private static FlashSaleSystem system;

    private final Checkout client = new Checkout();

    @BeforeAll
    static void startSystem() throws SQLException {
        TestBroker broker = TestBroker.get();
        checkoutBroker = new TcpProxy(broker.host(), broker.port());
        postgres = PostgresSystem.start("scaled", builder -> {
            builder.property(Service.ORDER_SERVICE, "spring.rabbitmq.port", String.valueOf(checkoutBroker.port()))
                    // Eight processes on one PostgreSQL server, whose 100 connections other test runs share: 40, not 80.
                    .property("spring.datasource.hikari.maximum-pool-size", "5")
                    // Eight JVMs start at once on two cores.
                    .startTimeout(Duration.ofMinutes(5));
            for (Service service : Service.SYSTEM) {
                builder.instances(service, INSTANCES);
            }
        });
        databases = postgres.databases();
        smtp = postgres.smtp();
        system = postgres.system();
    }

    @AfterAll
    static void stopSystem() throws SQLException {
        try {
            if (postgres != null) {
                postgres.close();
            }
        }
        finally {
            if (checkoutBroker != null) {
                checkoutBroker.close();
            }
        }
    }

    @Test
    @Order(1)
    void everyOrderIsAppliedOnceAndEveryOutboxRowIsSentOnceWithTwoOfEachService() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        Map<ServiceProcess, Counts> before = counts();

        FixedRateLoad load = FixedRateLoad.start(checkouts(), RATE, Duration.ofSeconds(15));
        load.await();
        // Eight JVMs just started on two cores: an answer can take longer than the client waits. It asks again, with the key.
        FixedRateLoad.Result result = load.offerUnansweredAgain(3);
        Accounting.Report report = accounting.settle("two of each service", result.offered(), result.accepted(),
                result.refusedCount(), PATIENCE);
        Map<ServiceProcess, Counts> sent = since(before);
        log.info("SCALED two of each service: {}", describe(sent));

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(result.refusedCount()).as("checkouts refused").isZero();
        // The relay may send a row whose after-commit hand-off came late (a starved thread): not a second send, as the
        // publisher skips a row the relay claimed. A row sent twice shows in the workers' duplicates, below.
        for (ServiceProcess orderService : system.processes(Service.ORDER_SERVICE)) {
            assertThat(sent.get(orderService).adopted()).as("rows %s adopted", orderService).isZero();
        }
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            List<Counts> instances = system.processes(worker).stream().map(sent::get).toList();
            assertThat(instances).as("%s: every process consumed its share", worker.module())
                    .allSatisfy(counts -> assertThat(counts.processed()).isPositive());
            assertThat(instances.stream().mapToLong(Counts::processed).sum()).as("%s: applied, all processes", worker.module())
                    .isEqualTo(result.accepted().size());
            assertThat(instances.stream().mapToLong(Counts::duplicates).sum())
                    .as("%s: deliveries of an order already applied: a row sent twice, or a message delivered twice", worker.module())
                    .isZero();
        }
    }

    /**
     * Both order-services lose the broker while orders come in: each keeps its own rows, and once the broker is back
     * each relays only those. Before rows were claimed, both relayed every row: 394 messages in a queue for 200 orders.
     */
    @Test
    @Order(2)
    void rowsLeftUnpublishedByABrokerOutageAreRelayedOnceEachNotOncePerInstance() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        Map<ServiceProcess, Counts> before = counts();
        FixedRateLoad.Result result;
        checkoutBroker.cut();
        try {
            result = FixedRateLoad.start(checkouts(), 50, Duration.ofSeconds(4)).await();
            // A few rounds of each relay fail too (every second), with the rows older than the relay's grace.
            Thread.sleep(3_000);
        }
        finally {
            checkoutBroker.restore();
        }
        Accounting.Report report = accounting.settle("both order-services cut from the broker", result.offered(), result.accepted(),
                result.refusedCount(), PATIENCE);
        Map<ServiceProcess, Counts> sent = since(before);
        log.info("SCALED broker outage for both order-services: {}", describe(sent));

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(result.accepted()).as("orders accepted while the broker was unreachable").hasSize(200);
        assertThat(system.processes(Service.ORDER_SERVICE).stream().mapToLong(process -> sent.get(process).relayed()).sum())
                .as("rows relayed by both instances together").isEqualTo(result.accepted().size());
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            assertThat(system.processes(worker).stream().mapToLong(process -> sent.get(process).duplicates()).sum())
                    .as("%s: deliveries of an order already applied", worker.module()).isZero();
        }
    }

    /**
     * One order-service instance SIGKILLed mid-load, with rows committed and not yet published (its after-commit
     * publisher dropped them, as if the process had died between commit and publish, and its relay waits 2 s before it
     * takes a row): the other instance adopts them once the dead one's lease runs out. The client offers the orders
     * whose answer never came again, with their keys, to the live instance: one order each, whichever instance placed it.
     */
    @Test
    @Order(3)
    void anOrderServiceKilledMidLoadLosesNothingItsUnpublishedRowsAreAdopted() throws Exception {
        ServiceProcess survivor = system.processes(Service.ORDER_SERVICE).get(0);
        ServiceProcess victim = system.processes(Service.ORDER_SERVICE).get(1);
        Accounting accounting = Accounting.begin(system, smtp);
        double adoptedBefore = client.metric(survivor.baseUri(), "flashsale_outbox_adopted_total");
        FixedRateLoad load = FixedRateLoad.start(checkouts(), RATE, Duration.ofSeconds(20));
        await().until(() -> load.acceptedSoFar() >= RATE * 5);
        Checkout.Answer dropping = client.putAsAdmin(victim.baseUri().resolve("/api/admin/faults"), "{\"afterCommitFault\":\"DROP\"}");
        assertThat(dropping.status()).as("after-commit fault: %s", dropping.json()).isEqualTo(200);
        int acceptedAtFault = load.acceptedSoFar();
        // Within the relay's grace: the rows of the last second are committed and unpublished.
        await().atMost(Duration.ofSeconds(5)).until(() -> load.acceptedSoFar() >= acceptedAtFault + RATE);
        victim.kill();
        long killedAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.metric(survivor.baseUri(), "flashsale_outbox_adopted_total") > adoptedBefore);
        double adoptedAfter = (System.nanoTime() - killedAt) / 1e9;
        load.await();
        FixedRateLoad.Result result = load.offerUnansweredAgain(3);
        Accounting.Report report = accounting.settle("one order-service instance SIGKILLed", result.offered(), result.accepted(),
                result.refusedCount(), PATIENCE);
        double adopted = client.metric(survivor.baseUri(), "flashsale_outbox_adopted_total") - adoptedBefore;
        log.info("SCALED order-service SIGKILL: {} rows adopted by the survivor {} s after the kill; {} orders offered again, {} replayed",
                (long) adopted, "%.1f".formatted(adoptedAfter), result.replayed().size() + result.unanswered().size(), result.replayed().size());

        victim.start();
        victim.awaitHealthy(Duration.ofMinutes(3));
        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(adopted).as("unpublished rows of the killed instance, adopted").isPositive();
        assertThat(result.unanswered()).as("orders still unanswered").isEmpty();
    }

    /** The same Idempotency-Key sent to both instances at the same moment: one order, and both answers name it. */
    @Test
    @Order(4)
    void oneIdempotencyKeyRacingOnTwoInstancesPlacesOneOrder() throws Exception {
        List<URI> checkouts = checkouts();
        String prefix = "race-" + UUID.randomUUID() + "-";
        for (int i = 0; i < 20; i++) {
            String key = prefix + i;
            String body = Checkout.order(1);
            CyclicBarrier together = new CyclicBarrier(checkouts.size());
            List<CompletableFuture<Checkout.Answer>> answers = new ArrayList<>();
            for (URI checkout : checkouts) {
                answers.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await();
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException(ex);
                    }
                    return client.post(checkout.resolve("/api/orders"), body, "Idempotency-Key", key);
                }));
            }
            List<Checkout.Answer> answered = answers.stream().map(CompletableFuture::join).toList();
            assertThat(answered).as("answers to key %s", key).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(202));
            assertThat(answered.stream().map(answer -> answer.json().get("orderId").asString()).distinct())
                    .as("order ids for key %s", key).hasSize(1);
        }
        assertThat(ordersWithKeysStartingWith(prefix)).as("orders placed for 20 keys").isEqualTo(20);
    }

    /** What one process counted, from its own metrics. */
    record Counts(long relayed, long adopted, long processed, long duplicates) {

        Counts minus(Counts before) {
            return new Counts(relayed - before.relayed, adopted - before.adopted, processed - before.processed,
                    duplicates - before.duplicates);
        }
    }

    private Map<ServiceProcess, Counts> counts() {
        Map<ServiceProcess, Counts> counts = new java.util.LinkedHashMap<>();
        for (Service service : Service.SYSTEM) {
            for (ServiceProcess process : system.processes(service)) {
                URI uri = process.baseUri();
                counts.put(process, new Counts((long) client.metric(uri, "flashsale_outbox_relayed_total"),
                        (long) client.metric(uri, "flashsale_outbox_adopted_total"),
                        (long) client.metric(uri, "flashsale_worker_processed_total"),
                        (long) client.metric(uri, "flashsale_worker_duplicates_skipped_total")));
            }
        }
        return counts;
    }

    private Map<ServiceProcess, Counts> since(Map<ServiceProcess, Counts> before) {
        Map<ServiceProcess, Counts> now = counts();
        now.replaceAll((process, counts) -> counts.minus(before.get(process)));
        return now;
    }

    private static String describe(Map<ServiceProcess, Counts> counts) {
        StringBuilder line = new StringBuilder();
        counts.forEach((process, count) -> line.append("%n  %s: %s".formatted(process, count)));
        return line.toString();
    }

    private static List<URI> checkouts() {
        return system.processes(Service.ORDER_SERVICE).stream().map(ServiceProcess::baseUri).toList();
    }

    private static long ordersWithKeysStartingWith(String prefix) throws SQLException {
        try (Connection connection = databases.connect(Service.ORDER_SERVICE);
                PreparedStatement statement = connection.prepareStatement("SELECT COUNT(*) FROM orders WHERE idempotency_key LIKE ?")) {
            statement.setString(1, prefix + "%");
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
