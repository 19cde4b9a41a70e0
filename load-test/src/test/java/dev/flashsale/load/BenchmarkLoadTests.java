package dev.flashsale.load;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's short profile, as CI runs it: a few seconds of every part against the whole system, so that
 * the harness cannot rot, and the exactly-once accounting of every stream must come out clean. The figures of a
 * run this short say little; the full run is {@code scripts/benchmark.sh}.
 */
class BenchmarkLoadTests {

    @Test
    void shortBenchmarkAccountsForEveryOrderAndWritesItsReport() throws Exception {
        Path repository = Path.of(System.getProperty("flashsale.repository", "..")).toAbsolutePath().normalize();
        Path output = repository.resolve("load-test/target/benchmark/ci-" + System.currentTimeMillis());

        Report report = new Benchmark(Profile.SHORT, repository, output).run();

        assertThat(report.streams()).extracting(result -> result.stream().name())
                .contains("sync", "async", "async-100", "order-service-100", "modulith-100", "flash-sale", "flash-sale-capped-100",
                        "flash-sale-workers-paused", "sustained-100");
        for (StreamResult result : report.streams()) {
            assertThat(result.accepted()).as("orders accepted in %s", result.stream().name()).isPositive();
            assertThat(result.failed()).as("failed requests in %s", result.stream().name()).isZero();
            assertThat(result.check().problems()).as("exactly-once problems in %s", result.stream().name()).isEmpty();
            assertThat(result.check().workers()).hasSize(3)
                    .allSatisfy(worker -> assertThat(worker.applied()).isEqualTo(result.accepted()));
        }
        assertThat(report.flashSale().refused()).as("invalid orders in the flash sale, refused").isPositive();
        if (Hey.installed().isPresent()) {
            assertThat(report.flashSaleOtherClient()).as("the flash sale from hey (scripts/test.sh installs it)").isNotNull();
            assertThat(report.flashSaleOtherClient().accepted()).isEqualTo(report.profile().flashSaleOrders());
        }
        assertThat(report.brokerAlone().sustained()).as("messages/s the broker alone sustained").isPositive();
        assertThat(report.lost()).isZero();
        assertThat(report.duplicated()).isZero();
        for (String file : new String[] { "index.html", "summary.md", "summary.json", "samples.csv", "perftest.log" }) {
            assertThat(output.resolve(file)).as(file).isNotEmptyFile();
        }
        assertThat(report.modulith().costs()).as("the Modulith peer's own process is measured").containsKey("modulith-checkout");
        assertThat(Files.readString(output.resolve("index.html"))).contains("<svg", "Against the bars", "Modulith over ours");
    }
}
