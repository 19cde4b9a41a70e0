package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrderDatabaseTests {

    @TempDir
    Path directory;

    @Test
    void tallyTellsOnceTwiceLostAndWhichRowsLackTheirPartner() throws Exception {
        OrderDatabase database = new OrderDatabase(directory, "tally");
        database.createTables();
        try (Connection connection = DriverManager.getConnection(database.url());
                Statement statement = connection.createStatement()) {
            // order 1 applied once with its row, 2 applied twice with its row, 3 a row alone, 4 an effect alone
            statement.execute("INSERT INTO applied (order_no) VALUES (1), (2), (2), (4)");
            statement.execute("INSERT INTO processed (order_no) VALUES (1), (2), (3)");
        }

        OrderDatabase.Tally tally = database.tally(5);

        assertThat(tally.rows()).isEqualTo(4);
        assertThat(tally.once()).isEqualTo(2);
        assertThat(tally.appliedTwice()).containsExactly(2);
        assertThat(tally.twice()).isEqualTo(1);
        assertThat(tally.lost()).containsExactly(3, 5);
        assertThat(tally.rowsWithoutEffect()).containsExactly(3);
        assertThat(tally.effectsWithoutRow()).containsExactly(4);
    }
}
