package dev.flashsale.analytics.sales;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Which generation of the figures is live, and which one a rebuild is writing: the one row of
 * {@code sales_generation}. Every change is a conditional {@code UPDATE} of that row, so two rebuilds (or a rebuild
 * and a restart's clean-up) cannot both win.
 */
@Repository
class Generations {

    /**
     * @param live the generation the summary reads and every order is written to
     * @param rebuilding the generation a rebuild is filling, which every new order is written to as well; null when
     *        no rebuild runs
     */
    record State(int live, Integer rebuilding) {
    }

    private final JdbcClient jdbc;

    Generations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    State current() {
        return jdbc.sql("SELECT live, rebuilding FROM sales_generation WHERE id = 1")
                .query((rs, row) -> new State(rs.getInt("live"), (Integer) rs.getObject("rebuilding")))
                .single();
    }

    /** Opens the next generation for a rebuild; false if one is open already. */
    boolean open(int generation) {
        return jdbc.sql("UPDATE sales_generation SET rebuilding = ? WHERE id = 1 AND rebuilding IS NULL AND live = ?")
                .params(generation, generation - 1).update() == 1;
    }

    /** Makes the rebuilt generation the live one; false if it is no longer the one being rebuilt. */
    boolean swap(int generation) {
        return jdbc.sql("UPDATE sales_generation SET live = rebuilding, rebuilding = NULL WHERE id = 1 AND rebuilding = ?")
                .param(generation).update() == 1;
    }

    /** Closes the generation being rebuilt without making it live; false if it was not open. */
    boolean close(int generation) {
        return jdbc.sql("UPDATE sales_generation SET rebuilding = NULL WHERE id = 1 AND rebuilding = ?")
                .param(generation).update() == 1;
    }
}
