package dev.flashsale.order.checkout;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The writer's linger, without a clock in the way: a linger far longer than the test, and groups of two. The first
 * order is taken and waits for company; the second fills the group, which commits at once. Without the linger, the
 * first order would have been committed alone before the second was sent.
 */
@OrderServiceTest
@TestPropertySource(properties = {
        "flashsale.checkout.writer.linger=5s",
        "flashsale.checkout.writer.max-group=2" })
class OrderWriterLingerTests {

    @Autowired
    TestApi api;

    @Autowired
    MeterRegistry meters;

    @Test
    void anOrderThatArrivesWhileTheFirstLingersSharesItsCommit() {
        DistributionSummary groups = meters.get("flashsale.checkout.group.size").summary();
        long groupsBefore = groups.count();
        double ordersBefore = groups.totalAmount();

        CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> api.checkout(TestApi.order("SKU-1", 1)));
        // Taken by the writer, and not committed: the writer waits in its linger for company.
        await().atMost(Duration.ofSeconds(10)).until(OrderWriterLingerTests::writerLingers);
        assertThat(first).isNotDone();
        Answer second = api.checkout(TestApi.order("SKU-2", 1));

        assertThat(second.status()).isEqualTo(202);
        assertThat(first.join().status()).isEqualTo(202);
        assertThat(groups.count() - groupsBefore).as("transactions").isEqualTo(1);
        assertThat(groups.totalAmount() - ordersBefore).as("orders in it").isEqualTo(2);
    }

    /** Whether the writer thread is inside its linger now, as its stack says. */
    private static boolean writerLingers() {
        return Thread.getAllStackTraces().entrySet().stream().filter(thread -> thread.getKey().getName().equals("order-writer"))
                .flatMap(thread -> Arrays.stream(thread.getValue()))
                .anyMatch(frame -> frame.getClassName().equals(OrderWriter.class.getName()) && frame.getMethodName().equals("linger"));
    }
}
