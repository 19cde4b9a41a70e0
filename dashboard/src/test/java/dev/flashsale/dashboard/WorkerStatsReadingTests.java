package dev.flashsale.dashboard;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/** The dashboard reads a worker's {@code GET /api/stats} with or without the sum over its processes. */
class WorkerStatsReadingTests {

    private final JsonMapper json = JsonMapper.builder().build();

    @Test
    void theSumOverEveryInstanceIsReadWhenTheWorkerGivesIt() {
        Snapshot.WorkerStats stats = json.readValue("""
                {"queue":"email.order-placed","processed":3,"duplicatesSkipped":0,"retries":1,"deadLettered":0,"deadLettersParked":2,
                 "outcomes":{"sent":3},"consuming":true,"maxRatePerSecond":null,"workerCounts":{},"instance":"h:1:abc",
                 "instances":[{"id":"h:1:abc"},{"id":"h:2:def"}],
                 "total":{"instances":2,"processed":10,"duplicatesSkipped":1,"retries":1,"deadLettered":0,"outcomes":{"sent":10},
                          "consuming":2,"consumers":4,"workerCounts":{}}}""", Snapshot.WorkerStats.class);

        assertThat(stats.processed()).isEqualTo(3);
        assertThat(stats.total()).isNotNull();
        assertThat(stats.total().instances()).isEqualTo(2);
        assertThat(stats.total().processed()).isEqualTo(10);
        assertThat(stats.total().consumers()).isEqualTo(4);
    }

    @Test
    void aWorkerThatDoesNotGiveTheSumIsReadAsBefore() {
        Snapshot.WorkerStats stats = json.readValue("""
                {"processed":3,"duplicatesSkipped":0,"retries":1,"deadLettered":0,"deadLettersParked":null,"outcomes":{},
                 "consuming":false,"maxRatePerSecond":5}""", Snapshot.WorkerStats.class);

        assertThat(stats.processed()).isEqualTo(3);
        assertThat(stats.total()).isNull();
    }
}
