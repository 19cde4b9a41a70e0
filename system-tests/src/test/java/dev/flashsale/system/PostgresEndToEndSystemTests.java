package dev.flashsale.system;

import java.net.URI;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.icegreen.greenmail.util.GreenMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The end-to-end flow once with every service on PostgreSQL (the {@code postgres} profile), against the
 * PostgreSQL server on this machine: each service gets a database of its own, created here and dropped after.
 */
class PostgresEndToEndSystemTests {

    static final int ORDERS = 50;

    private static PostgresSystem postgres;
    private static PostgresDatabases databases;
    private static GreenMail smtp;
    private static FlashSaleSystem system;

    @BeforeAll
    static void startSystem() throws SQLException {
        postgres = PostgresSystem.start("postgres", builder -> { });
        databases = postgres.databases();
        smtp = postgres.smtp();
        system = postgres.system();
    }

    @AfterAll
    static void stopSystem() throws SQLException {
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void everyAcceptedOrderIsAppliedExactlyOnceByEveryWorkerOnPostgres() throws Exception {
        Checkout client = new Checkout();
        ExactlyOnceAccount.Snapshot before = ExactlyOnce.baseline(system, smtp);
        Map<Service, Set<UUID>> processedBefore = new EnumMap<>(Service.class);
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            processedBefore.put(worker, processedOrders(worker));
        }

        Map<UUID, Integer> accepted = client.placeOrders(system.uri(Service.ORDER_SERVICE), ORDERS, 8);

        ExactlyOnce.assertEveryWorkerAppliedEachOrderOnce(system, smtp, accepted, client, before);
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            Set<UUID> added = processedOrders(worker);
            added.removeAll(processedBefore.get(worker));
            assertThat(added).as("dedup rows %s added", worker.module()).isEqualTo(accepted.keySet());
        }
    }

    /**
     * The analytics database lost (its figures and its dedup rows gone), then rebuilt from the history stream on
     * PostgreSQL: the summary is what it was, and the orders placed while the rebuild ran are counted once.
     */
    @Test
    void aLostAnalyticsDatabaseIsRebuiltFromTheHistoryStreamOnPostgres() throws Exception {
        Checkout client = new Checkout();

        Map<UUID, Integer> accepted = client.placeOrders(system.uri(Service.ORDER_SERVICE), 40, 4);
        await().atMost(Duration.ofSeconds(60)).until(() -> processedOrders(Service.ANALYTICS_WORKER).containsAll(accepted.keySet()));
        URI summary = system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/summary");
        JsonNode before = client.get(summary);

        try (Connection connection = databases.connect(Service.ANALYTICS_WORKER); Statement statement = connection.createStatement()) {
            statement.execute("DELETE FROM sale_line");
            statement.execute("DELETE FROM processed_order");
        }
        assertThat(client.get(summary).get("orders").asLong()).isZero();
        HttpResponse<String> started = client.postAsAdmin(system.uri(Service.ANALYTICS_WORKER).resolve("/api/admin/history/rebuild"));
        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
        JsonNode done = await().atMost(Duration.ofSeconds(60)).until(
                () -> client.get(system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/history/rebuild")),
                status -> !status.get("state").asString().equals("replaying"));

        assertThat(done.get("state").asString()).as("%s", done).isEqualTo("done");
        assertThat(client.get(summary)).isEqualTo(before);
    }

    private static Set<UUID> processedOrders(Service worker) throws SQLException {
        Set<UUID> orderIds = new HashSet<>();
        try (Connection connection = databases.connect(worker); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT order_id FROM processed_order")) {
            while (rows.next()) {
                orderIds.add(rows.getObject(1, UUID.class));
            }
        }
        return orderIds;
    }
}
