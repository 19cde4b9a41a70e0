package dev.flashsale.order.checkout;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import javax.sql.DataSource;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.TestPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The checkout when its database cannot keep up, made to happen for real: the test holds, in a transaction of its own
 * and uncommitted, an order with the Idempotency-Key that a request is about to use. The order writer's insert of that
 * key waits on the unique index's lock for as long as the test holds it (reads are not blocked: the request's own
 * lookup of the key goes through, and sees nothing). A request then waits for a commit that does not come, and more
 * requests than the writer may hold back fill its queue. When the test rolls back, the writer's insert goes through.
 */
@OrderServiceTest
@TestPropertySource(properties = {
        // The writer waits for the test's lock for as long as the test holds it (H2's default is 1 s).
        "spring.datasource.url=jdbc:h2:file:${flashsale.data-dir}/order-service;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;LOCK_TIMEOUT=30000",
        "flashsale.checkout.writer.commit-wait=1s",
        // The writer holds the test's first order while it waits (sent alone, it is taken alone), the queue the next four.
        "flashsale.checkout.writer.max-waiting=4",
        "flashsale.checkout.writer.max-group=8" })
class OrderWriterOverloadTests {

    @Autowired
    TestApi api;

    @Autowired
    DataSource dataSource;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    MeterRegistry meters;

    @Test
    void aCommitSlowerThanTheWaitAnswers503WithRetryAfterAndTheSameKeyThenGetsTheOrderThatWasPlaced() throws Exception {
        String key = "slow-commit-" + System.nanoTime();
        Answer slow;
        try (Connection blocking = holdKey(key)) {
            slow = api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", key);
            blocking.rollback();
        }

        assertThat(slow.status()).isEqualTo(503);
        assertThat(slow.header("Retry-After")).isEqualTo(OrderWriter.RETRY_AFTER_SECONDS);
        assertThat(slow.contentType()).startsWith("application/problem+json");
        assertThat(slow.json().get("detail").asString()).contains("may still be placed", "same Idempotency-Key");
        // The commit came after the answer: the repeat finds the order the first request placed, and places no other.
        await().atMost(Duration.ofSeconds(10)).until(() -> ordersWithKey(key) == 1);
        Answer repeat = api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", key);
        assertThat(repeat.status()).isEqualTo(202);
        assertThat(repeat.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(ordersWithKey(key)).isEqualTo(1);
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAtOnceAndStoresNothingOfThatRequest() throws Exception {
        List<String> keys = new ArrayList<>();
        List<Answer> answers = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(10);
        String first = "full-queue-first-" + System.nanoTime();
        keys.add(first);
        try (Connection blocking = holdKey(first)) {
            // The first request's insert waits on the test's lock, holding the writer; the nine others queue behind it.
            List<Future<Answer>> sent = new ArrayList<>();
            sent.add(clients.submit(() -> api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", first)));
            await().atMost(Duration.ofSeconds(10)).until(() -> sent.get(0).isDone() && waitingForTheWriter() == 0);
            for (int i = 0; i < 9; i++) {
                String key = "full-queue-" + i + "-" + System.nanoTime();
                keys.add(key);
                sent.add(clients.submit(() -> api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", key)));
            }
            for (Future<Answer> answer : sent) {
                answers.add(answer.get());
            }
            blocking.rollback();
        }
        finally {
            clients.shutdownNow();
        }

        List<String> refused = new ArrayList<>();
        List<String> maybePlaced = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            Answer answer = answers.get(i);
            assertThat(answer.status()).as("answer %d", i).isEqualTo(503);
            assertThat(answer.header("Retry-After")).isEqualTo(OrderWriter.RETRY_AFTER_SECONDS);
            String detail = answer.json().get("detail").asString();
            if (detail.contains("was not placed")) {
                refused.add(keys.get(i));
            }
            else {
                assertThat(detail).contains("may still be placed");
                maybePlaced.add(keys.get(i));
            }
        }
        // One order in the waiting writer and four in its queue: the other five were turned away at once.
        assertThat(refused).hasSize(5);
        assertThat(maybePlaced).hasSize(5).contains(first);
        await().atMost(Duration.ofSeconds(10)).until(() -> maybePlaced.stream().allMatch(key -> ordersWithKey(key) == 1));
        assertThat(refused).allMatch(key -> ordersWithKey(key) == 0);
    }

    /**
     * The group commit, made to happen rather than hoped for: while the writer waits on the test's lock, three orders
     * queue behind it; once it is free, it takes them into one transaction.
     */
    @Test
    void ordersThatQueuedBehindABusyWriterAreCommittedTogether() throws Exception {
        List<String> keys = new ArrayList<>();
        ExecutorService clients = Executors.newFixedThreadPool(4);
        String first = "group-first-" + System.nanoTime();
        keys.add(first);
        DistributionSummary groups = meters.get("flashsale.checkout.group.size").summary();
        long groupsBefore = groups.count();
        double ordersBefore = groups.totalAmount();
        try (Connection blocking = holdKey(first)) {
            Future<Answer> held = clients.submit(() -> api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", first));
            // Answered (503, after the commit wait) while its commit cannot come: the writer has it and waits.
            await().atMost(Duration.ofSeconds(10)).until(held::isDone);
            for (int i = 0; i < 3; i++) {
                String key = "group-" + i + "-" + System.nanoTime();
                keys.add(key);
                clients.submit(() -> api.checkout(TestApi.order("SKU-1", 1), "Idempotency-Key", key));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> waitingForTheWriter() == 3);
            blocking.rollback();
        }
        finally {
            clients.shutdownNow();
        }

        // Their answers may have come before the commit (503, "may still be placed"); the orders are placed all the same.
        await().atMost(Duration.ofSeconds(10)).until(() -> keys.stream().allMatch(key -> ordersWithKey(key) == 1));
        // Two transactions: the first order's, then the three that queued.
        assertThat(groups.count() - groupsBefore).as("transactions").isEqualTo(2);
        assertThat(groups.totalAmount() - ordersBefore).as("orders in them").isEqualTo(4);
    }

    /** A connection of the test's own, in a transaction that holds an uncommitted order with this key. */
    private Connection holdKey(String key) throws SQLException {
        Connection connection = dataSource.getConnection();
        try {
            connection.setAutoCommit(false);
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO orders (id, customer_id, customer_email, currency, "
                    + "total, status, idempotency_key, request_hash, created_at) "
                    + "VALUES (?, 'test', 'test@example.com', 'EUR', 0, 'ACCEPTED', ?, 'test', CURRENT_TIMESTAMP)")) {
                insert.setObject(1, UUID.randomUUID());
                insert.setString(2, key);
                insert.executeUpdate();
            }
            return connection;
        }
        catch (SQLException ex) {
            connection.close();
            throw ex;
        }
    }

    /** Orders in the writer's queue, not yet taken into a commit. */
    private double waitingForTheWriter() {
        return meters.get("flashsale.checkout.writer.waiting").gauge().value();
    }

    private long ordersWithKey(String key) {
        return jdbc.sql("SELECT COUNT(*) FROM orders WHERE idempotency_key = ?").param(key).query(Long.class).single();
    }
}
