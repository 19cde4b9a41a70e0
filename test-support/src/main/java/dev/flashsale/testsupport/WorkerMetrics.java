package dev.flashsale.testsupport;

/**
 * The series every worker puts on its {@code /actuator/prometheus} for its queue, as Prometheus reads them: what the
 * alert rules and the Grafana dashboard name, so each worker's test checks that its scrape has all of them.
 */
public final class WorkerMetrics {

    private WorkerMetrics() {
    }

    /** The series of the worker consuming {@code queue}, each as it starts on a line of the scrape. */
    public static String[] seriesOf(String queue) {
        String labels = "{queue=\"" + queue + "\"";
        return new String[] { "flashsale_worker_processed_total" + labels, "flashsale_worker_duplicates_skipped_total" + labels,
                "flashsale_worker_retries_total" + labels, "flashsale_worker_dead_lettered_total" + labels,
                "flashsale_worker_dead_letters_parked" + labels, "flashsale_worker_consuming" + labels,
                "flashsale_worker_consumers" + labels, "flashsale_worker_end_to_end_seconds_bucket" + labels + ",le=\"+Inf\"}",
                "flashsale_worker_end_to_end_seconds_count" + labels };
    }
}
