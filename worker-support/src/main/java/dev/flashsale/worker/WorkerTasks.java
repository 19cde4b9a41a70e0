package dev.flashsale.worker;

import java.time.Duration;
import java.time.OffsetDateTime;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code worker_task} table: which periodic task is due, across every process of the worker that shares the
 * database. A process claims a due task with a conditional update that moves its next run forward; two processes that
 * try at once meet at the row's lock, and the second finds the task no longer due. Database time decides.
 */
final class WorkerTasks {

    static final String DEDUP_PURGE = "dedup-purge";

    private final JdbcClient jdbc;

    WorkerTasks(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Claims the task if it is due, and makes it due again after {@code interval}.
     *
     * @return whether this caller claimed it (and should run it)
     */
    boolean claimIfDue(String task, Duration interval, String instance) {
        OffsetDateTime now = jdbc.sql("SELECT CURRENT_TIMESTAMP").query(OffsetDateTime.class).single();
        // A little early, so that a process whose own timer fires exactly one interval later finds it due.
        Duration slack = interval.dividedBy(10).compareTo(Duration.ofMinutes(1)) < 0 ? interval.dividedBy(10) : Duration.ofMinutes(1);
        return jdbc.sql("UPDATE worker_task SET next_run_at = ?, ran_by = ? WHERE name = ? AND next_run_at <= ?")
                .params(now.plus(interval).minus(slack), instance, task, now)
                .update() == 1;
    }
}
