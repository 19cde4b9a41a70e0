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
     * @param rebuildingBy the instance (process) whose rebuild fills it; null when none runs, or for a rebuild opened
     *        before the column existed
     */
    record State(int live, Integer rebuilding, String rebuildingBy) {
    }

    private final JdbcClient jdbc;

    Generations(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    State current() {
        return jdbc.sql("SELECT live, rebuilding, rebuilding_by FROM sales_generation WHERE id = 1")
                .query((rs, row) -> new State(rs.getInt("live"), (Integer) rs.getObject("rebuilding"), rs.getString("rebuilding_by")))
                .single();
    }

    /** Opens the next generation for a rebuild run by the given instance; false if one is open already. */
    boolean open(int generation, String instance) {
        return jdbc.sql("UPDATE sales_generation SET rebuilding = ?, rebuilding_by = ? WHERE id = 1 AND rebuilding IS NULL AND live = ?")
                .params(generation, instance, generation - 1).update() == 1;
    }

    /** Makes the rebuilt generation the live one; false if it is no longer the one being rebuilt. */
    boolean swap(int generation) {
        return jdbc.sql("UPDATE sales_generation SET live = rebuilding, rebuilding = NULL, rebuilding_by = NULL WHERE id = 1 AND rebuilding = ?")
                .param(generation).update() == 1;
    }

    /** Closes the generation being rebuilt without making it live; false if it was not open. */
    boolean close(int generation) {
        return jdbc.sql("UPDATE sales_generation SET rebuilding = NULL, rebuilding_by = NULL WHERE id = 1 AND rebuilding = ?")
                .param(generation).update() == 1;
    }
}
