package dev.flashsale.order.outbox;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.QueueProbe;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import dev.flashsale.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.Binding.DestinationType;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The outbox under failure: broker unreachable, a crash between commit and publish, unroutable events, purging. */
@OrderServiceTest
class OutboxPublisherTests {

    private static final Duration PUBLISHED_WITHIN = Duration.ofSeconds(15);

    @Autowired
    TestApi api;

    @Autowired
    QueueProbe probe;

    @Autowired
    TcpProxy brokerProxy;

    @Autowired
    AfterCommitFault fault;

    @Autowired
    OutboxRelay relay;

    @Autowired
    AmqpAdmin admin;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    OutboxPublisher publisher;

    @Autowired
    RowsOnTheirWay rows;

    @Autowired
    MeterRegistry meters;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    OutboxRepository repository;

    @Autowired
    TransactionTemplate transaction;

    @Autowired
    OutboxProperties properties;

    @Autowired
    JsonMapper json;

    @Autowired
    OutboxLease lease;


    @Test
    void ordersAcceptedWhileTheBrokerIsUnreachableAreAllPublishedWhenItIsBack() {
        probe.start();
        List<UUID> accepted = new ArrayList<>();
        brokerProxy.cut();
        try {
            for (int i = 0; i < 20; i++) {
                Answer answer = api.checkout(TestApi.order("OUTAGE-" + i, 1));
                assertThat(answer.status()).isEqualTo(202);
                accepted.add(answer.orderId());
            }
            // Give the after-commit publisher and the relay several rounds to try, and fail.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .until(() -> accepted.stream().allMatch(orderId -> probe.receivedFor(orderId).isEmpty()));
            assertThat(accepted).allSatisfy(orderId -> assertThat(status(orderId)).isEqualTo("ACCEPTED"));
        }
        finally {
            brokerProxy.restore();
        }

        accepted.forEach(orderId -> probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN));
        await().atMost(PUBLISHED_WITHIN).until(() -> accepted.stream().allMatch(orderId -> "PUBLISHED".equals(status(orderId))));
        assertThat(accepted).allSatisfy(orderId -> assertThat(probe.receivedFor(orderId)).hasSize(3));
    }

    @Test
    void aHandOffThatFailsAfterTheCommitFailsNothingAndTheRelaySendsTheRow() throws Exception {
        probe.start();
        // A publisher whose sender was shut down refuses the hand-off with a RejectedExecutionException, after the commit.
        // It is a second instance's, stopped: its row is adopted by the running one, whose relay sends it.
        OutboxLease stoppedInstance = new OutboxLease(jdbc, transaction, properties, meters);
        stoppedInstance.afterPropertiesSet();
        RowsOnTheirWay stoppedRows = new RowsOnTheirWay(properties.confirmTimeout(), System::nanoTime);
        OutboxPublisher stopped = new OutboxPublisher(new OutboxSender(rabbit, stoppedRows, new OutboxTraces(Tracer.NOOP)), stoppedRows,
                repository, transaction, properties, stoppedInstance);
        stopped.destroy();
        Outbox outbox = new Outbox(repository, stopped, json, new OutboxTraces(Tracer.NOOP), stoppedInstance);
        UUID orderId = UUID.randomUUID();
        OrderPlaced event = new OrderPlaced(UUID.randomUUID(), orderId, new OrderPlaced.Customer("c-handoff", "handoff@example.com"),
                List.of(new OrderPlaced.Line("HANDOFF-1", 1, BigDecimal.ONE)), BigDecimal.ONE, "EUR", Instant.now());

        // Committed is committed: an exception from here would make the order writer take its group for a failed one.
        transaction.executeWithoutResult(status -> outbox.append(List.of(
                outbox.entry(event.eventId(), orderId, OrderPlaced.TYPE, OrderPlaced.VERSION,
                        Topology.routingKey(event.priority()), event))));

        // The running instance's heartbeat adopts the row when it unregisters the stopped one. Had it done so before the
        // append, the row's owner would be unregistered already, which only the safety net's adoption catches: run it now.
        lease.adoptOrphans();
        assertThat(unpublishedRowsOf(orderId)).isEqualTo(1);
        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        await().atMost(PUBLISHED_WITHIN).until(() -> unpublishedRowsOf(orderId) == 0);
        assertThat(probe.receivedFor(orderId)).hasSize(3);
    }

    @Test
    void anEventCommittedButNotPublishedBeforeACrashIsPublishedByTheRelay() {
        probe.start();
        UUID orderId;
        Instant committed;
        fault.set(AfterCommitFault.Mode.DROP);
        try {
            // Before the request, so no later than the commit: the row's age is at least what is measured from here.
            committed = Instant.now();
            orderId = api.checkout(TestApi.order("CRASH-1", 1)).orderId();
        }
        finally {
            fault.set(AfterCommitFault.Mode.NONE);
        }
        assertThat(unpublishedRowsOf(orderId)).isEqualTo(1);

        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);

        // Only the relay publishes rows older than its grace period (500 ms in the tests).
        assertThat(Duration.between(committed, Instant.now())).isGreaterThanOrEqualTo(Duration.ofMillis(500));
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(orderId)));
        assertThat(unpublishedRowsOf(orderId)).isZero();
        assertThat(probe.receivedFor(orderId)).hasSize(3);
    }

    @Test
    void aRowWaitingForABusySenderIsNeverTakenByTheRelayAndGoesOutOnce() throws Exception {
        probe.start();
        double relayedBefore = relayed();
        CountDownLatch busy = new CountDownLatch(1);
        // The sender thread is held up, as at a cold start: the next commit's row waits behind it.
        publisher.onSenderThread(() -> {
            try {
                busy.await();
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
        });
        UUID orderId;
        try {
            orderId = api.checkout(TestApi.order("BUSY-1", 1)).orderId();
            // Past the relay's grace (500 ms) and the confirm timeout (3 s) of the tests: a claim that old used to be taken over.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).until(() -> probe.receivedFor(orderId).isEmpty());
        }
        finally {
            busy.countDown();
        }

        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(orderId)));
        assertThat(probe.receivedFor(orderId)).as("one delivery per queue").hasSize(3);
        assertThat(relayed()).as("rows the relay sent").isEqualTo(relayedBefore);
    }

    @Test
    void aRowMarkedPublishedBetweenTheRelaysQueryAndItsClaimIsNotSentAgain() {
        probe.start();
        UUID orderId = api.checkout(TestApi.order("MARKED-1", 1)).orderId();
        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(orderId)));
        double relayedBefore = relayed();
        // The row as the relay's query saw it a moment before its mark committed: unpublished.
        OutboxMessage seenUnpublished = jdbc.sql("""
                SELECT id, event_id, aggregate_id, event_type, event_version, routing_key, payload, created_at, traceparent
                FROM outbox WHERE aggregate_id = ?""").param(orderId)
                .query((rs, row) -> new OutboxMessage(rs.getLong("id"), rs.getObject("event_id", UUID.class), orderId,
                        rs.getString("event_type"), rs.getInt("event_version"), rs.getString("routing_key"), rs.getString("payload"),
                        rs.getTimestamp("created_at").toInstant(), rs.getString("traceparent")))
                .single();

        relay.relay(List.of(seenUnpublished));

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> probe.receivedFor(orderId).size() == 3);
        assertThat(relayed()).as("rows the relay sent").isEqualTo(relayedBefore);
        assertThat(rows.claimForRelay(seenUnpublished.id())).as("the relay let go of its claim").isTrue();
        rows.letGo(seenUnpublished.id());
    }

    @Test
    void anUnroutableEventIsNotCountedAsPublishedAndGoesOutOnceItCanBeRouted() {
        probe.start();
        // Every queue the exchange feeds, the history stream included: a message routed to any one of them is routed.
        List<Binding> bindings = Stream.concat(Topology.WORK_QUEUES.stream(), Stream.of(Topology.HISTORY_STREAM))
                .map(queue -> new Binding(queue, DestinationType.QUEUE, Topology.ORDERS_EXCHANGE, "", null))
                .toList();
        UUID orderId;
        bindings.forEach(admin::removeBinding);
        try {
            orderId = api.checkout(TestApi.order("UNROUTABLE-1", 1)).orderId();
            // The broker confirms an unroutable mandatory message, but returns it first.
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                    .until(() -> unpublishedRowsOf(orderId) == 1 && "ACCEPTED".equals(status(orderId)));
        }
        finally {
            // Rebound while the service cannot reach the broker: were the relay to publish between the first and the
            // last binding, its event would reach some queues only, and count as routed.
            brokerProxy.cut();
            try {
                probe.bindWorkQueues();
            }
            finally {
                brokerProxy.restore();
            }
        }

        probe.awaitInEveryQueue(orderId, PUBLISHED_WITHIN);
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(orderId)));
    }

    @Test
    void publishedRowsArePurgedAfterTheRetentionAndUnpublishedRowsNever() {
        UUID published = api.checkout(TestApi.order("PURGE-1", 1)).orderId();
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(published)));
        UUID unpublished;
        brokerProxy.cut();
        try {
            unpublished = api.checkout(TestApi.order("PURGE-2", 1)).orderId();

            relay.purge(Instant.now().plus(Duration.ofDays(1)));

            assertThat(rowsOf(published)).isZero();
            assertThat(unpublishedRowsOf(unpublished)).isEqualTo(1);
            assertThat(jdbc.sql("select count(*) from outbox where published_at is not null").query(Long.class).single()).isZero();
        }
        finally {
            brokerProxy.restore();
        }
        probe.awaitInEveryQueue(unpublished, PUBLISHED_WITHIN);
    }

    @Test
    void purgingKeepsRowsYoungerThanTheRetention() {
        UUID orderId = api.checkout(TestApi.order("PURGE-3", 1)).orderId();
        await().atMost(PUBLISHED_WITHIN).until(() -> "PUBLISHED".equals(status(orderId)));

        relay.purge(Instant.now().minus(Duration.ofHours(1)));

        assertThat(rowsOf(orderId)).isEqualTo(1);
    }

    private double relayed() {
        return meters.get("flashsale.outbox.relayed").counter().count();
    }

    private String status(UUID orderId) {
        return api.get("/api/orders/" + orderId).json().get("status").asString();
    }

    private long rowsOf(UUID orderId) {
        return jdbc.sql("select count(*) from outbox where aggregate_id = ?").param(orderId).query(Long.class).single();
    }

    private long unpublishedRowsOf(UUID orderId) {
        return jdbc.sql("select count(*) from outbox where aggregate_id = ? and published_at is null")
                .param(orderId).query(Long.class).single();
    }
}
