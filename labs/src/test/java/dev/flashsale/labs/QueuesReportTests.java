package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.flashsale.labs.QueuesLab.Row;
import org.junit.jupiter.api.Test;

class QueuesReportTests {

    @Test
    void aTableOfTheWorkQueuesAsTheGuideShowsIt() {
        Report report = QueuesReport.of(List.of(new Row("email.order-placed", 200, 0, 0, 0),
                new Row("inventory.order-placed", 0, 0, 2, 1)));

        assertThat(report.lines()).containsExactly(
                "queue                      ready  unacked  consumers   dlq",
                "email.order-placed           200        0          0     0",
                "inventory.order-placed         0        0          2     1");
        assertThat(report.shown()).isTrue();
    }
}
