package dev.flashsale.email;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.email.confirmation.SmtpConnectionsTests;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TcpProxy;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.testsupport.WorkerMetrics;
import dev.flashsale.worker.WorkerStats;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.core.MessageListenerContainer;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The email worker against the real broker, a real SMTP server (GreenMail) and its real (H2 file) database. */
@SpringBootTest
@ActiveProfiles("test")
class EmailWorkerIntegrationTests {

    private static final GreenMail smtpServer = startSmtpServer();

    /** The worker reaches SMTP through this proxy, which a test cuts to take SMTP away for real. */
    private static final TcpProxy smtp = new TcpProxy("127.0.0.1", smtpServer.getSmtp().getPort());

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:./target/test-db/" + UUID.randomUUID());
        registry.add("spring.mail.host", () -> "127.0.0.1");
        registry.add("spring.mail.port", smtp::port);
        registry.add("server.port", () -> 0);
    }

    @AfterAll
    static void stopSmtp() {
        smtp.close();
        smtpServer.stop();
    }

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    WorkerStats stats;

    @Autowired
    CircuitBreakerRegistry breakers;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    RabbitListenerEndpointRegistry listeners;

    @Autowired
    PrometheusMeterRegistry prometheus;

    @Test
    void confirmationIsSentOnceWithAStableMessageIdAlsoWhenTheOrderIsDeliveredTwice() throws MessagingException {
        OrderPlaced event = orderPlaced("ada@example.com");
        long skippedBefore = stats.snapshot().duplicatesSkipped();

        publish(event);
        publish(event);

        await().until(() -> stats.snapshot().duplicatesSkipped() == skippedBefore + 1);
        List<MimeMessage> mails = mailsFor(event);
        assertThat(mails).hasSize(1);
        MimeMessage mail = mails.get(0);
        assertThat(mail.getMessageID()).isEqualTo("<order-" + event.orderId() + "@flashsale.local>");
        assertThat(mail.getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
        assertThat(mail.getSubject()).contains(event.orderId().toString());
    }

    @Test
    void whileSmtpIsDownTheBreakerOpensAndEveryMailIsSentOnceWhenItIsBack() {
        List<OrderPlaced> orders = IntStream.range(0, 6).mapToObj(i -> orderPlaced("buyer" + i + "@example.com")).toList();
        CircuitBreaker breaker = breakers.circuitBreaker("smtp");
        long deadLetteredBefore = stats.snapshot().deadLettered();
        smtp.cut();
        try {
            orders.forEach(this::publish);

            await().until(() -> breaker.getState() == CircuitBreaker.State.OPEN);
            assertThat(orders).allMatch(order -> mailsFor(order).isEmpty());
            // Held, not dead-lettered: the breaker stops the attempts before they run out.
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                    .until(() -> breaker.getState() != CircuitBreaker.State.CLOSED && deadLetters(orders) == 0);
        }
        finally {
            smtp.restore();
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> orders.stream().allMatch(order -> !mailsFor(order).isEmpty()));
        assertThat(orders).allSatisfy(order -> assertThat(mailsFor(order)).hasSize(1));
        await().until(() -> breaker.getState() == CircuitBreaker.State.CLOSED);
        assertThat(stats.snapshot().deadLettered()).isEqualTo(deadLetteredBefore);
        assertThat(deadLetters(orders)).isZero();
        assertThat(admin.getQueueInfo(Topology.deadLetterQueue(Topology.EMAIL_QUEUE)).getMessageCount()).isZero();
    }

    @Test
    void theScrapeHasTheWorkersMetricsAndTheSmtpBreakersState() {
        OrderPlaced event = orderPlaced("scrape@example.com");
        publish(event);
        await().until(() -> processedRows(event) == 1);

        String scrape = prometheus.scrape();

        assertThat(scrape).contains(WorkerMetrics.seriesOf(Topology.EMAIL_QUEUE)).contains("flashsale_email_unanswered_sends_total");
        // resilience4j's Micrometer binding: one series per state, 1 for the state the breaker is in.
        assertThat(scrape).contains("resilience4j_circuitbreaker_state{name=\"smtp\",state=\"closed\"} 1.0",
                "resilience4j_circuitbreaker_state{name=\"smtp\",state=\"open\"} 0.0",
                "resilience4j_circuitbreaker_state{name=\"smtp\",state=\"half_open\"} 0.0");
    }

    @Test
    void aMailWhoseReplyIsLostIsSentAgainWithTheSameMessageIdCountedApartAndTheOrderIsAppliedOnce() throws Exception {
        OrderPlaced event = orderPlaced("grace@example.com");
        long unansweredBefore = unansweredSends();
        long deadLetteredBefore = stats.snapshot().deadLettered();
        TcpProxy.Interception lost = smtp.loseNextReplyTo(SmtpConnectionsTests.END_OF_DATA);

        publish(event);

        await().atMost(Duration.ofSeconds(30)).until(() -> processedRows(event) == 1);
        assertThat(lost.struck()).as("the reply to the mail's data was lost").isTrue();
        // The server took the mail whose reply was lost, and the one sent again: two copies, one Message-ID.
        assertThat(mailsFor(event)).hasSize(2);
        assertThat(processedRows(event)).as("applied once in the worker's own database").isEqualTo(1);
        assertThat(unansweredSends()).as("unanswered sends counted").isEqualTo(unansweredBefore + 1);
        assertThat(stats.snapshot().deadLettered()).isEqualTo(deadLetteredBefore);
    }

    /**
     * The work queue holds a backlog its consumers do not take (they are stopped, as if busy for minutes): an express
     * order is mailed from its own queue all the same, and its second copy, in the work queue, is skipped once the
     * backlog drains.
     */
    @Test
    void anExpressOrderIsMailedAheadOfTheWorkQueuesBacklogAndOnlyOnce() {
        List<OrderPlaced> backlog = IntStream.range(0, 50).mapToObj(i -> orderPlaced("backlog-" + i + "@example.com")).toList();
        OrderPlaced express = orderPlaced("express@example.com").withPriority(OrderPlaced.Priority.EXPRESS);
        long skippedBefore = stats.snapshot().duplicatesSkipped();
        MessageListenerContainer workQueue = listeners.getListenerContainer("order-placed");
        workQueue.stop();
        try {
            backlog.forEach(this::publish);
            rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, Topology.routingKey(OrderPlaced.Priority.EXPRESS), express);

            await().atMost(Duration.ofSeconds(10)).until(() -> mailsFor(express).size() == 1);
            assertThat(backlog).allMatch(order -> mailsFor(order).isEmpty());
            assertThat(admin.getQueueInfo(Topology.EMAIL_QUEUE).getMessageCount()).isEqualTo(backlog.size() + 1);
        }
        finally {
            workQueue.start();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> backlog.stream().allMatch(order -> mailsFor(order).size() == 1));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.snapshot().duplicatesSkipped() == skippedBefore + 1);
        assertThat(mailsFor(express)).hasSize(1);
        assertThat(admin.getQueueInfo(Topology.EMAIL_EXPRESS_QUEUE).getMessageCount()).isZero();
    }

    /** The express queue is a shortcut, not the record: with its consumers gone, the express order is mailed in its turn. */
    @Test
    void anExpressOrderWhoseExpressQueueIsNotConsumedIsMailedFromTheWorkQueueOnce() {
        OrderPlaced express = orderPlaced("express-alone@example.com").withPriority(OrderPlaced.Priority.EXPRESS);
        long skippedBefore = stats.snapshot().duplicatesSkipped();
        MessageListenerContainer expressQueue = listeners.getListenerContainer("order-placed-express");
        expressQueue.stop();
        try {
            rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, Topology.routingKey(OrderPlaced.Priority.EXPRESS), express);

            await().atMost(Duration.ofSeconds(10)).until(() -> mailsFor(express).size() == 1);
            assertThat(admin.getQueueInfo(Topology.EMAIL_EXPRESS_QUEUE).getMessageCount()).isEqualTo(1);
        }
        finally {
            expressQueue.start();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.snapshot().duplicatesSkipped() == skippedBefore + 1);
        assertThat(mailsFor(express)).hasSize(1);
    }

    private long unansweredSends() {
        return stats.snapshot().workerCounts().get("unansweredSends");
    }

    private long processedRows(OrderPlaced event) {
        return jdbc.sql("SELECT COUNT(*) FROM processed_order WHERE order_id = ?").param(event.orderId()).query(Long.class).single();
    }

    /** The orders' dead letters, parked in the worker's table (the DLQ itself is emptied into it at once). */
    private long deadLetters(List<OrderPlaced> orders) {
        return orders.stream().mapToLong(order -> jdbc.sql("SELECT COUNT(*) FROM dead_letter WHERE order_id = ?")
                .param(order.orderId().toString()).query(Long.class).single()).sum();
    }

    private List<MimeMessage> mailsFor(OrderPlaced event) {
        String messageId = "<order-" + event.orderId() + "@flashsale.local>";
        return Arrays.stream(smtpServer.getReceivedMessages()).filter(mail -> messageId.equals(messageId(mail))).toList();
    }

    private static String messageId(MimeMessage mail) {
        try {
            return mail.getMessageID();
        }
        catch (MessagingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private void publish(OrderPlaced event) {
        rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", event);
    }

    private static GreenMail startSmtpServer() {
        return NoDelayGreenMail.startOnFreePort();
    }

    private static OrderPlaced orderPlaced(String email) {
        return new OrderPlaced(UUID.randomUUID(), UUID.randomUUID(), new OrderPlaced.Customer("c-42", email),
                List.of(new OrderPlaced.Line("SKU-1", 2, new BigDecimal("9.99"))), new BigDecimal("19.98"), "EUR", Instant.now());
    }
}
