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
 * The writer's linger, without a clock in the way: a linger far longer than the test, and groups of two. An order
 * that comes alone is committed at once; one that comes within a linger of the previous group is taken and waits for
 * company, and the next fills its group, which commits at once. Without the linger, the second order would have been
 * committed alone before the third was sent.
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
    void anOrderThatComesSoonAfterTheLastLingersAndSharesItsCommitWithTheNext() {
        DistributionSummary groups = meters.get("flashsale.checkout.group.size").summary();
        // The order the next one comes soon after: committed, whether or not it lingered itself.
        Answer alone = api.checkout(TestApi.order("SKU-1", 1));
        assertThat(alone.status()).isEqualTo(202);
        long groupsBefore = groups.count();
        double ordersBefore = groups.totalAmount();

        CompletableFuture<Answer> second = CompletableFuture.supplyAsync(() -> api.checkout(TestApi.order("SKU-1", 1)));
        // Taken by the writer within the linger of the first, and not committed: the writer waits for company.
        await().atMost(Duration.ofSeconds(10)).until(OrderWriterLingerTests::writerLingers);
        assertThat(second).isNotDone();
        Answer third = api.checkout(TestApi.order("SKU-2", 1));

        assertThat(third.status()).isEqualTo(202);
        assertThat(second.join().status()).isEqualTo(202);
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
