package dev.flashsale.deadletter;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code dead_letter} table's statements on both databases a worker runs on: H2 (the default) and PostgreSQL
 * (docker compose, the {@code postgres} profile), each migrated by worker-support's own Flyway migrations. PostgreSQL
 * is the server on this machine ({@code FLASHSALE_TEST_POSTGRES_HOST}/{@code _PORT}/{@code _USER}/{@code _PASSWORD}),
 * in a database created for this test and dropped after it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeadLetterRepositoryTests {

    private static final String PG_HOST = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_HOST", "127.0.0.1");
    private static final String PG_PORT = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PORT", "5432");
    private static final String PG_USER = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_USER", "postgres");
    private static final String PG_PASSWORD = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PASSWORD", "");

    private final String postgresDatabase = "flashsale_test_" + UUID.randomUUID().toString().substring(0, 8) + "_dead_letters";
    private DataSource h2;
    private DataSource postgres;

    @BeforeAll
    void createDatabases() throws SQLException {
        h2 = new DriverManagerDataSource("jdbc:h2:file:./target/test-db/" + UUID.randomUUID() + ";WRITE_DELAY=0", "sa", "");
        executeOnPostgres("CREATE DATABASE " + postgresDatabase);
        postgres = new DriverManagerDataSource("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + postgresDatabase, PG_USER, PG_PASSWORD);
        for (DataSource database : List.of(h2, postgres)) {
            Flyway.configure().dataSource(database).locations("classpath:db/migration/worker-support").load().migrate();
        }
    }

    @AfterAll
    void dropDatabase() throws SQLException {
        executeOnPostgres("DROP DATABASE IF EXISTS " + postgresDatabase + " WITH (FORCE)");
    }

    Stream<String> databases() {
        return Stream.of("h2", "postgres");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aDeadLetterIsStoredOncePerReplayCountAndReadBackByteForByte(String name) {
        DeadLetterRepository repository = repository(name);
        DeadLetter row = deadLetter("group-a", 0, Instant.parse("2030-01-01T00:00:10Z"));

        assertThat(repository.insertOnce(row, Instant.now())).isTrue();
        assertThat(repository.insertOnce(row, Instant.now())).isFalse();
        assertThat(repository.insertOnce(withReplayCount(row, 1), Instant.now())).isTrue();

        DeadLetter stored = repository.find(repository.maxId()).orElseThrow();
        assertThat(stored.replayCount()).isEqualTo(1);
        assertThat(stored.payload()).isEqualTo(row.payload());
        assertThat(stored.headers()).isEqualTo(row.headers());
        assertThat(stored.properties()).isEqualTo(row.properties());
        assertThat(stored.stackTrace()).isEqualTo(row.stackTrace());
        assertThat(stored.firstFailedAt()).isEqualTo(row.firstFailedAt());
        assertThat(stored.attempts()).isEqualTo(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void theNewestComeFirstAndGroupsAreCounted(String name) {
        DeadLetterRepository repository = repository(name);
        String group = "g" + UUID.randomUUID().toString().substring(0, 8);
        repository.insertOnce(deadLetter(group, 0, Instant.parse("2031-01-01T00:00:01Z")), Instant.now());
        repository.insertOnce(deadLetter(group, 0, Instant.parse("2031-01-01T00:00:03Z")), Instant.now());
        repository.insertOnce(deadLetter(group, 0, Instant.parse("2031-01-01T00:00:02Z")), Instant.now());

        List<DeadLetter> newest = repository.newest(2, group);
        DeadLetterGroup counted = repository.groups().stream().filter(g -> g.group().equals(group)).findFirst().orElseThrow();

        assertThat(newest).extracting(DeadLetter::lastFailedAt)
                .containsExactly(Instant.parse("2031-01-01T00:00:03Z"), Instant.parse("2031-01-01T00:00:02Z"));
        assertThat(newest.get(0).stackTrace()).isNull();
        assertThat(counted.count()).isEqualTo(3);
        assertThat(counted.lastFailedAt()).isEqualTo(Instant.parse("2031-01-01T00:00:03Z"));
        assertThat(counted.sampleMessage()).isEqualTo("Downstream down");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("databases")
    void aBatchSkipsTheRowsAnotherTransactionHoldsAndDeletesWhatItIsGiven(String name) throws Exception {
        DeadLetterRepository repository = repository(name);
        TransactionTemplate transaction = new TransactionTemplate(new DataSourceTransactionManager(dataSource(name)));
        String group = "g" + UUID.randomUUID().toString().substring(0, 8);
        long before = repository.maxId();
        for (int i = 0; i < 3; i++) {
            repository.insertOnce(deadLetter(group, 0, Instant.now()), Instant.now());
        }
        long held = before + 1;
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> otherAdmin = CompletableFuture.runAsync(() -> transaction.executeWithoutResult(status -> {
            repository.lock(held).orElseThrow();
            locked.countDown();
            await(release);
        }));
        try {
            assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();

            List<DeadLetter> batch = transaction.execute(status -> repository.lockBatch(before, repository.maxId(), group, 10));

            assertThat(batch).extracting(DeadLetter::id).containsExactly(before + 2, before + 3);
        }
        finally {
            release.countDown();
            otherAdmin.get(30, TimeUnit.SECONDS);
        }
        assertThat(repository.delete(List.of(before + 2, before + 3))).isEqualTo(2);
        assertThat(repository.delete(held)).isTrue();
        assertThat(repository.find(held)).isEmpty();
    }

    private DeadLetterRepository repository(String name) {
        return new DeadLetterRepository(JdbcClient.create(dataSource(name)), JsonMapper.builder().build());
    }

    private DataSource dataSource(String name) {
        return "h2".equals(name) ? h2 : postgres;
    }

    private static DeadLetter deadLetter(String group, int replayCount, Instant lastFailedAt) {
        return new DeadLetter(null, UUID.randomUUID().toString(), UUID.randomUUID().toString(), lastFailedAt.minusSeconds(5),
                lastFailedAt, 3, replayCount, group, DeadLetter.BY_WORKER, "java.lang.IllegalStateException", "Downstream down",
                "dev.flashsale.X.run(X.java:42)", null, "java.lang.IllegalStateException: Downstream down\n\tat dev.flashsale.X.run(X.java:42)",
                Map.of("event-type", "order.placed", "event-version", 1, "order-id", "o-1"),
                Map.of("contentType", "application/json"), new byte[] { '{', 0, (byte) 0xff, '}' });
    }

    private static DeadLetter withReplayCount(DeadLetter row, int replayCount) {
        return new DeadLetter(null, row.orderId(), row.eventId(), row.firstFailedAt(), row.lastFailedAt(), row.attempts(), replayCount,
                row.group(), row.deadLetteredBy(), row.exceptionClass(), row.exceptionMessage(), row.thrownAt(), row.brokerReason(),
                row.stackTrace(), row.headers(), row.properties(), row.payload());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
    }

    private static void executeOnPostgres(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/postgres",
                PG_USER, PG_PASSWORD); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
        catch (SQLException ex) {
            throw new SQLException("""
                    This test needs a PostgreSQL server at %s:%s (user %s) that may create databases.
                      Install one (apt-get install postgresql) or point FLASHSALE_TEST_POSTGRES_HOST/_PORT/_USER/_PASSWORD at one."""
                    .formatted(PG_HOST, PG_PORT, PG_USER), ex);
        }
    }
}
