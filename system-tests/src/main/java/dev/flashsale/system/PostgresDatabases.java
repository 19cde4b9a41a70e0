package dev.flashsale.system;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A database of its own for each service of a system, on the PostgreSQL server on this machine: created for a test
 * class (or a benchmark's system), given to the services (the {@code postgres} profile's {@code POSTGRES_*} variables)
 * and dropped after it.
 */
public final class PostgresDatabases implements AutoCloseable {

    private static final String HOST = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_HOST", "127.0.0.1");
    private static final String PORT = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PORT", "5432");
    private static final String USER = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_USER", "postgres");
    private static final String PASSWORD = System.getenv().getOrDefault("FLASHSALE_TEST_POSTGRES_PASSWORD", "");

    private final Map<Service, String> databases = new EnumMap<>(Service.class);

    private PostgresDatabases() {
    }

    /** Creates a database for each of the system's services. */
    public static PostgresDatabases create() throws SQLException {
        return create("flashsale_test");
    }

    /** The same, the databases' names starting with {@code prefix} (letters, digits and underscores), e.g. the benchmark's. */
    public static PostgresDatabases create(String prefix) throws SQLException {
        if (!prefix.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("Not a plain database name prefix: " + prefix);
        }
        PostgresDatabases created = new PostgresDatabases();
        String run = prefix + "_" + UUID.randomUUID().toString().substring(0, 8);
        try {
            for (Service service : Service.SYSTEM) {
                String database = run + "_" + service.module().replace('-', '_');
                execute("CREATE DATABASE " + database);
                created.databases.put(service, database);
            }
        }
        catch (SQLException ex) {
            created.close();
            throw ex;
        }
        return created;
    }

    /** Runs every service of the system on its database (and with the {@code postgres} profile). */
    public FlashSaleSystem.Builder configure(FlashSaleSystem.Builder builder) {
        builder.property("spring.profiles.active", "postgres");
        databases.forEach((service, database) -> builder.environment(service, "POSTGRES_HOST", HOST)
                .environment(service, "POSTGRES_PORT", PORT).environment(service, "POSTGRES_USER", USER)
                .environment(service, "POSTGRES_PASSWORD", PASSWORD).environment(service, "POSTGRES_DB", database));
        return builder;
    }

    /** A new connection to the service's database. */
    public Connection connect(Service service) throws SQLException {
        return connect(databases.get(service));
    }

    /** The databases' names, by service. */
    public Map<Service, String> names() {
        return Map.copyOf(databases);
    }

    /**
     * Drops every database created, with whatever is still connected to it; once (a second call, e.g. from a shutdown
     * hook after the normal close, does nothing but retry those that could not be dropped). Tries every database even
     * when one fails.
     */
    @Override
    public synchronized void close() throws SQLException {
        SQLException failed = null;
        for (Map.Entry<Service, String> database : List.copyOf(databases.entrySet())) {
            try {
                execute("DROP DATABASE IF EXISTS " + database.getValue() + " WITH (FORCE)");
                databases.remove(database.getKey());
            }
            catch (SQLException ex) {
                if (failed == null) {
                    failed = ex;
                }
                else {
                    failed.addSuppressed(ex);
                }
            }
        }
        if (failed != null) {
            throw failed;
        }
    }

    /**
     * Connections the server can still take from a user like ours (its {@code max_connections}, less those open and
     * those it keeps for superusers); 0 when it takes none now.
     */
    public static int freeConnections() {
        try (Connection connection = connect("postgres"); Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery("SELECT current_setting('max_connections')::int"
                        + " - current_setting('superuser_reserved_connections')::int - (SELECT count(*) FROM pg_stat_activity)")) {
            result.next();
            return Math.max(0, result.getInt(1));
        }
        catch (SQLException ex) {
            return 0;
        }
    }

    /**
     * Runs a statement on the server, waiting (up to {@link #BUSY_PATIENCE}) while the server is full: it is shared with
     * other test runs, and a database left behind because the server had no connection to spare is worse than a wait.
     */
    private static void execute(String sql) throws SQLException {
        long deadline = System.nanoTime() + BUSY_PATIENCE.toNanos();
        while (true) {
            try (Connection connection = connect("postgres"); Statement statement = connection.createStatement()) {
                statement.execute(sql);
                return;
            }
            catch (SQLException ex) {
                if (!TOO_MANY_CONNECTIONS.equals(sqlState(ex)) || System.nanoTime() > deadline) {
                    throw ex;
                }
            }
            try {
                Thread.sleep(2_000);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new SQLException("Interrupted while the server was full: " + sql, ex);
            }
        }
    }

    /** PostgreSQL's SQLSTATE for "sorry, too many clients already". */
    private static final String TOO_MANY_CONNECTIONS = "53300";

    /** How long a statement waits for the server to take a connection again. */
    private static final Duration BUSY_PATIENCE = Duration.ofMinutes(3);

    private static String sqlState(SQLException ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }

    private static Connection connect(String database) throws SQLException {
        try {
            return DriverManager.getConnection("jdbc:postgresql://" + HOST + ":" + PORT + "/" + database, USER, PASSWORD);
        }
        catch (SQLException ex) {
            throw new SQLException("""
                    The PostgreSQL system tests need a PostgreSQL server at %s:%s (user %s) that may create databases.
                      Install one (apt-get install postgresql) or point FLASHSALE_TEST_POSTGRES_HOST/_PORT/_USER/_PASSWORD at one."""
                    .formatted(HOST, PORT, USER), ex);
        }
    }
}
