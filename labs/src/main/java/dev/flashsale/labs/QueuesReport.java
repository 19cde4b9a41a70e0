package dev.flashsale.labs;

import java.util.List;

import dev.flashsale.labs.QueuesLab.Row;

/** What the {@link QueuesLab} prints: a table of the work queues. It has no verdict: it only shows. */
final class QueuesReport {

    private QueuesReport() {
    }

    static Report of(List<Row> rows) {
        Report report = new Report().line("%-24s %7s %8s %10s %5s", "queue", "ready", "unacked", "consumers", "dlq");
        for (Row row : rows) {
            report.line("%-24s %7d %8d %10d %5d", row.queue(), row.ready(), row.unacked(), row.consumers(), row.dlq());
        }
        return report;
    }
}
