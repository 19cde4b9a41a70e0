package dev.flashsale.labs;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The database of the {@link DeliveryLab}'s consumer, an H2 file: the effect ({@code applied}, one row per time an
 * order was applied) and the dedup table ({@code processed}, the workers' {@code processed_order}), and what they hold.
 * The lab opens it only while no consumer runs: an H2 file database is for one process at a time.
 */
final class OrderDatabase {

    private final String url;

    OrderDatabase(Path directory, String name) {
        // WRITE_DELAY=0: each commit goes to the file at once, so a committed row survives the SIGKILL.
        this.url = "jdbc:h2:file:" + directory.resolve(name) + ";WRITE_DELAY=0";
    }

    /** The JDBC URL, for the consumer. */
    String url() {
        return url;
    }

    void createTables() throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            // The effect, without a unique key: applied twice shows as two rows.
            statement.execute("CREATE TABLE applied (order_no INT NOT NULL)");
            statement.execute("CREATE TABLE processed (order_no INT PRIMARY KEY)");
        }
    }

    /**
     * What the database holds of orders 1 to {@code orders}.
     *
     * @param rows              rows in the effect table
     * @param once              orders applied exactly once
     * @param appliedTwice      orders applied more than once
     * @param lost              orders never applied
     * @param rowsWithoutEffect dedup rows of orders never applied
     * @param effectsWithoutRow orders applied that have no dedup row
     */
    record Tally(int rows, int once, List<Integer> appliedTwice, List<Integer> lost, List<Integer> rowsWithoutEffect,
            List<Integer> effectsWithoutRow) {

        /** Rows beyond one per order: the times an order was applied again. */
        int twice() {
            return rows - distinct();
        }

        int distinct() {
            return once + appliedTwice.size();
        }
    }

    Tally tally(int orders) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            int rows = 0;
            int once = 0;
            List<Integer> appliedTwice = new ArrayList<>();
            TreeSet<Integer> lost = new TreeSet<>();
            for (int orderNo = 1; orderNo <= orders; orderNo++) {
                lost.add(orderNo);
            }
            try (ResultSet times = statement.executeQuery(
                    "SELECT order_no, COUNT(*) FROM applied GROUP BY order_no ORDER BY order_no")) {
                while (times.next()) {
                    int applied = times.getInt(2);
                    rows += applied;
                    lost.remove(times.getInt(1));
                    if (applied == 1) {
                        once++;
                    }
                    else {
                        appliedTwice.add(times.getInt(1));
                    }
                }
            }
            return new Tally(rows, once, appliedTwice, List.copyOf(lost),
                    orderNumbers(statement, "SELECT order_no FROM processed"
                            + " WHERE order_no NOT IN (SELECT order_no FROM applied) ORDER BY order_no"),
                    orderNumbers(statement, "SELECT DISTINCT order_no FROM applied"
                            + " WHERE order_no NOT IN (SELECT order_no FROM processed) ORDER BY order_no"));
        }
    }

    private static List<Integer> orderNumbers(Statement statement, String query) throws SQLException {
        List<Integer> orderNumbers = new ArrayList<>();
        try (ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                orderNumbers.add(rows.getInt(1));
            }
        }
        return orderNumbers;
    }
}
