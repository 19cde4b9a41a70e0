package dev.flashsale.order.outbox;

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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SimpleDriverDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several order-service instances on one PostgreSQL database, as {@link OutboxLease} sees them: each a lease of its
 * own on the same tables, with separate connections, so that PostgreSQL's row locks decide the races, as between
 * processes. No broker: the lease decides which rows an instance sends, not how.
 */
class OutboxLeaseTests {

    private static final String HOST = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_HOST", "127.0.0.1");
    private static final String PORT = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PORT", "5432");
    private static final String USER = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_USER", "postgres");
    private static final String DATABASE = "outbox_lease_" + UUID.randomUUID().toString().replace("-", "");

    private static final Duration LEASE = Duration.ofMillis(600);

    private static final AtomicLong ids = new AtomicLong();

    private static SimpleDriverDataSource dataSource;

    private JdbcClient jdbc;
    private TransactionTemplate transaction;
    private OutboxRepository repository;
    private final OutboxProperties properties = properties();

    @BeforeAll
    static void createDatabase() throws SQLException {
        administer("CREATE DATABASE " + DATABASE);
        dataSource = new SimpleDriverDataSource(new org.postgresql.Driver(), url(DATABASE), USER, "");
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        administer("DROP DATABASE IF EXISTS " + DATABASE + " WITH (FORCE)");
    }

    @BeforeEach
    void emptyTables() {
        jdbc = JdbcClient.create(dataSource);
        transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
        repository = new OutboxRepository(jdbc, new JdbcTemplate(dataSource));
        jdbc.sql("DELETE FROM outbox").update();
        jdbc.sql("DELETE FROM outbox_instance").update();
    }

    @Test
    void eachInstanceRelaysOnlyTheRowsItAppended() {
        OutboxLease first = instance();
        OutboxLease second = instance();
        append(first, 30);
        append(second, 20);

        assertThat(repository.findUnpublished(first.id(), Instant.now().plusSeconds(1), 500)).hasSize(30);
        assertThat(repository.findUnpublished(second.id(), Instant.now().plusSeconds(1), 500)).hasSize(20);
    }

    @Test
    void theRowsOfAnInstanceSilentForLongerThanTheLeaseAreAdoptedByALiveOne() throws Exception {
        OutboxLease crashed = instance();
        OutboxLease live = instance();
        append(crashed, 25);

        live.heartbeat();
        assertThat(owners()).as("within the lease, the rows stay with their instance").containsOnlyKeys(crashed.id());

        Thread.sleep(LEASE.plusMillis(200).toMillis());
        live.heartbeat();
        assertThat(owners()).containsExactly(Map.entry(live.id(), 25L));
        assertThat(repository.findUnpublished(live.id(), Instant.now().plusSeconds(1), 500)).hasSize(25);
        assertThat(registered()).containsExactly(live.id());
    }

    @Test
    void anInstanceThatStopsGracefullyHandsItsRowsOverAtTheNextHeartbeatNotAfterTheLease() {
        OutboxLease stopping = instance();
        OutboxLease live = instance();
        append(stopping, 10);

        stopping.release();
        live.heartbeat();

        assertThat(owners()).containsExactly(Map.entry(live.id(), 10L));
    }

    @Test
    void instancesRacingToUnregisterADeadInstanceNeverBothAdoptARow() {
        OutboxLease crashed = instance();
        append(crashed, 2000);
        crashed.release();
        List<SimpleMeterRegistry> meters = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry(), new SimpleMeterRegistry());
        List<OutboxLease> racers = meters.stream().map(this::instance).toList();

        race(racers, OutboxLease::heartbeat);

        assertThat(owners()).as("one racer adopted them all").hasSize(1).containsValue(2000L);
        assertThat(adopted(meters)).as("rows adopted, counted by every racer").isEqualTo(2000);
    }

    @Test
    void instancesRacingToAdoptTheSameOrphansNeverBothTakeARow() {
        OutboxLease crashed = instance();
        append(crashed, 2000);
        List<SimpleMeterRegistry> meters = List.of(new SimpleMeterRegistry(), new SimpleMeterRegistry(), new SimpleMeterRegistry());
        List<OutboxLease> racers = meters.stream().map(this::instance).toList();
        // Registered after the racers, who adopt orphans when they register: now the rows are orphans, for all three at once.
        jdbc.sql("DELETE FROM outbox_instance WHERE id = ?").param(crashed.id()).update();

        race(racers, OutboxLease::adoptOrphans);

        // Whoever updates a row second finds its owner changed to a registered racer, and leaves it.
        assertThat(owners().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2000);
        assertThat(owners()).doesNotContainKey(crashed.id());
        assertThat(adopted(meters)).as("rows adopted, counted by every racer").isEqualTo(2000);
    }

    @Test
    void rowsWithoutAnOwnerAreAdoptedByTheFirstInstanceToStart() {
        OutboxLease writer = instance();
        append(writer, 5);
        jdbc.sql("UPDATE outbox SET claimed_by = NULL").update(); // as rows written before claims existed

        OutboxLease next = instance();

        assertThat(owners()).containsExactly(Map.entry(next.id(), 5L));
    }

    @Test
    void anInstanceTakenForDeadRegistersAgainAndKeepsAppending() throws Exception {
        OutboxLease paused = instance();
        OutboxLease live = instance();
        append(paused, 3);
        Thread.sleep(LEASE.plusMillis(200).toMillis());
        live.heartbeat();

        paused.heartbeat();
        append(paused, 4);

        assertThat(registered()).containsExactlyInAnyOrder(paused.id(), live.id());
        assertThat(owners()).containsOnly(Map.entry(live.id(), 3L), Map.entry(paused.id(), 4L));
    }

    private OutboxLease instance() {
        return instance(new SimpleMeterRegistry());
    }

    private OutboxLease instance(SimpleMeterRegistry meters) {
        OutboxLease lease = new OutboxLease(JdbcClient.create(dataSource), transaction, properties, meters);
        lease.afterPropertiesSet();
        return lease;
    }

    /** Runs the step of every instance at once, each on a thread and a connection of its own. */
    private static void race(List<OutboxLease> racers, Consumer<OutboxLease> step) {
        CyclicBarrier start = new CyclicBarrier(racers.size());
        CompletableFuture.allOf(racers.stream().map(racer -> CompletableFuture.runAsync(() -> {
            try {
                start.await();
            }
            catch (InterruptedException | BrokenBarrierException ex) {
                throw new IllegalStateException(ex);
            }
            step.accept(racer);
        })).toArray(CompletableFuture[]::new)).join();
    }

    private static double adopted(List<SimpleMeterRegistry> meters) {
        return meters.stream().mapToDouble(registry -> registry.get("flashsale.outbox.adopted").counter().count()).sum();
    }

    private void append(OutboxLease owner, int rows) {
        List<OutboxMessage> messages = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            messages.add(new OutboxMessage(ids.incrementAndGet(), UUID.randomUUID(), UUID.randomUUID(), "order.placed", 1, "order.placed", "{}",
                    Instant.now().minusSeconds(60), null));
        }
        repository.insertAll(messages, owner.id());
    }

    private Map<String, Long> owners() {
        return jdbc.sql("SELECT claimed_by FROM outbox WHERE published_at IS NULL").query(String.class).list().stream()
                .collect(Collectors.groupingBy(owner -> owner, Collectors.counting()));
    }

    private List<String> registered() {
        return jdbc.sql("SELECT id FROM outbox_instance").query(String.class).list();
    }

    private static OutboxProperties properties() {
        return new OutboxProperties(true, 10_000, Duration.ofSeconds(1), Duration.ofSeconds(2), 500, Duration.ofSeconds(10),
                Duration.ofMillis(50), Duration.ofDays(7), Duration.ofMinutes(1), AfterCommitFault.Mode.NONE, true,
                Duration.ofMillis(200), LEASE);
    }

    private static String url(String database) {
        return "jdbc:postgresql://" + HOST + ":" + PORT + "/" + database;
    }

    private static void administer(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url("postgres"), USER, "");
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
