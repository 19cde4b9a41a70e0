package dev.flashsale.inventory;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.worker.OrderApplier;
import org.junit.jupiter.api.Test;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two processes of the inventory worker on one PostgreSQL database, selling the same scarce product at the same moment:
 * never more than there is, each order once. The race is made to happen for real: a transaction of the test holds the
 * product's row while every order of both processes queues up behind it (PostgreSQL shows them waiting on a lock),
 * then lets them all go at once.
 *
 * <p>PostgreSQL is the server on this machine ({@code FLASHSALE_TEST_POSTGRES_HOST}/{@code _PORT}/{@code _USER}/
 * {@code _PASSWORD}), in a database created for this test and dropped after it.
 */
class StockOnPostgresTests {

    private static final String PG_HOST = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_HOST", "127.0.0.1");
    private static final String PG_PORT = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PORT", "5432");
    private static final String PG_USER = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_USER", "postgres");
    private static final String PG_PASSWORD = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PASSWORD", "");

    @Test
    void twoProcessesSellingTheLastUnitsAtOnceNeverSellMoreThanThereIsAndApplyEachOrderOnce() throws Exception {
        String database = "flashsale_test_" + UUID.randomUUID().toString().substring(0, 8) + "_stock";
        executeOnPostgres("CREATE DATABASE " + database);
        List<ConfigurableApplicationContext> processes = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(16);
        try {
            processes.add(start(database));
            processes.add(start(database));
            JdbcClient jdbc = processes.get(0).getBean(JdbcClient.class);
            jdbc.sql("INSERT INTO stock (sku, name, available) VALUES ('SCARCE', 'the last units', 100), ('PLENTY', 'plenty', 100000)")
                    .update();
            // 150 orders for 100 units, each with a line of a plentiful product too, in either order: the row locks are
            // taken in SKU order by every transaction of both processes, so they wait for each other and never deadlock.
            List<OrderPlaced> orders = new ArrayList<>();
            for (int i = 0; i < 150; i++) {
                orders.add(i % 2 == 0 ? order(line("SCARCE", 1), line("PLENTY", 1)) : order(line("PLENTY", 1), line("SCARCE", 1)));
            }
            List<Future<?>> calls = new ArrayList<>();
            try (Connection holder = connect(database)) {
                holder.setAutoCommit(false);
                try (Statement lock = holder.createStatement()) {
                    lock.execute("SELECT available FROM stock WHERE sku = 'PLENTY' FOR UPDATE");
                    lock.execute("SELECT available FROM stock WHERE sku = 'SCARCE' FOR UPDATE");
                }
                // Every order to both processes: the second copy of each is a redelivery to the other process.
                for (OrderPlaced order : orders) {
                    for (ConfigurableApplicationContext process : processes) {
                        OrderApplier applier = process.getBean(OrderApplier.class);
                        calls.add(threads.submit(() -> applier.applyAlone(order)));
                    }
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> jdbc.sql(
                        "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'")
                        .param(database).query(Long.class).single() >= 16);
                holder.commit();
            }
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }

            assertThat(jdbc.sql("SELECT available FROM stock WHERE sku = 'SCARCE'").query(Integer.class).single()).isZero();
            assertThat(jdbc.sql("SELECT COALESCE(SUM(quantity), 0) FROM reservation WHERE sku = 'SCARCE'").query(Integer.class).single())
                    .isEqualTo(100);
            assertThat(jdbc.sql("SELECT available FROM stock WHERE sku = 'PLENTY'").query(Integer.class).single()).isEqualTo(100000 - 100);
            Map<String, Long> outcomes = new java.util.TreeMap<>();
            jdbc.sql("SELECT outcome, COUNT(*) AS n FROM processed_order GROUP BY outcome")
                    .query(rs -> {
                        outcomes.put(rs.getString("outcome"), rs.getLong("n"));
                    });
            assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(Map.of("reserved", 100L, "rejected", 50L));
        }
        finally {
            threads.shutdownNow();
            processes.forEach(ConfigurableApplicationContext::close);
            executeOnPostgres("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        }
    }

    private static ConfigurableApplicationContext start(String database) {
        TestBroker broker = TestBroker.get();
        return new SpringApplicationBuilder(InventoryWorkerApplication.class).profiles("test").run(
                "--spring.rabbitmq.host=" + broker.host(), "--spring.rabbitmq.port=" + broker.port(),
                "--spring.rabbitmq.username=" + broker.username(), "--spring.rabbitmq.password=" + broker.password(),
                "--spring.rabbitmq.virtual-host=" + broker.virtualHost(),
                "--spring.datasource.url=jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database,
                "--spring.datasource.username=" + PG_USER, "--spring.datasource.password=" + PG_PASSWORD,
                "--spring.datasource.hikari.maximum-pool-size=12", "--server.port=0");
    }

    private static OrderPlaced.Line line(String sku, int quantity) {
        return new OrderPlaced.Line(sku, quantity, new BigDecimal("4.50"));
    }

    private static OrderPlaced order(OrderPlaced.Line... lines) {
        BigDecimal total = List.of(lines).stream().map(OrderPlaced.Line::amount).reduce(BigDecimal.ZERO, BigDecimal::add);
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(lines), total, "EUR", Instant.now());
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database, PG_USER, PG_PASSWORD);
    }

    private static void executeOnPostgres(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres", PG_USER,
                PG_PASSWORD); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
