package dev.flashsale.labs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;

import dev.flashsale.labs.DeliveryLab.Mode;

/**
 * The consumer of the {@link DeliveryLab}, run in a JVM of its own so that the lab can kill it (SIGKILL) in the middle
 * of its work: {@code <mode> <queue> <jdbc url> [<halt at>]}.
 *
 * <p>It applies each order to its own database, prints {@code applied <order>} or {@code skipped <order>} (with
 * {@code redelivered} when the broker flagged the delivery so) once the transaction is committed, and stops by itself
 * when no message has come for {@link #IDLE_MILLIS}. Given a number of orders to halt at, it stops still at that
 * order (once it has applied it, or between its two commits in a mode that has two), prints
 * {@code halted <order> <deliveries received so far>}, and holds what it has not acknowledged until it is killed: the
 * kill then lands at the same point on every run, however slowly the lab's signal reaches it on a busy machine.
 */
final class DeliveryConsumer {

    static final int PREFETCH = 50;
    static final int ACK_EVERY = 10;
    private static final long WORK_MILLIS = 10;
    private static final long IDLE_MILLIS = 1_000;

    private final Mode mode;
    private final Connection database;
    private final Channel channel;
    private final boolean autoAck;
    private final int haltAt;
    // The deliveries are handed to the main thread, which applies and acknowledges them one after the other.
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private final AtomicInteger received = new AtomicInteger();
    private int appliedSoFar;

    private DeliveryConsumer(Mode mode, Connection database, Channel channel, int haltAt) {
        this.mode = mode;
        this.database = database;
        this.channel = channel;
        this.autoAck = mode == Mode.AT_MOST_ONCE;
        this.haltAt = haltAt;
    }

    public static void main(String[] args) throws Exception {
        Mode mode = Mode.named(args[0]).orElseThrow();
        int haltAt = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
        try (Connection database = DriverManager.getConnection(args[2]);
                com.rabbitmq.client.Connection broker = RabbitConnector.connect("delivery consumer")) {
            database.setAutoCommit(false);
            DeliveryConsumer consumer = new DeliveryConsumer(mode, database, broker.createChannel(), haltAt);
            consumer.subscribe(args[1]);
            consumer.applyUntilIdle();
        }
    }

    private void subscribe(String queue) throws IOException {
        if (!autoAck) {
            channel.basicQos(PREFETCH);
        }
        // With auto-ack the broker counts a message as done the moment it sends it: it forgets it, and, since
        // nothing is ever acknowledged, no prefetch limit applies: the whole queue is pushed into this process's
        // buffers. A message "delivered" there is gone from the broker before it has been applied.
        channel.basicConsume(queue, autoAck, (tag, delivery) -> {
            received.incrementAndGet();
            deliveries.add(delivery);
        }, tag -> { });
    }

    private void applyUntilIdle() throws Exception {
        int unacknowledged = 0;
        long lastTag = 0;
        Delivery delivery;
        while ((delivery = deliveries.poll(IDLE_MILLIS, TimeUnit.MILLISECONDS)) != null) {
            int orderNo = Integer.parseInt(new String(delivery.getBody(), StandardCharsets.UTF_8));
            boolean applied = applyOrder(orderNo);
            lastTag = delivery.getEnvelope().getDeliveryTag();
            // Acknowledged after applying, and in batches as the workers do (one ack frame for many): all that was
            // applied since the last ack is still the broker's to redeliver if this process dies now. The batch
            // makes that window up to ACK_EVERY - 1 applied orders wide, not a fraction of one.
            if (!autoAck && ++unacknowledged == ACK_EVERY) {
                channel.basicAck(lastTag, true);
                unacknowledged = 0;
            }
            System.out.println((applied ? "applied " : "skipped ") + orderNo
                    + (delivery.getEnvelope().isRedeliver() ? " redelivered" : ""));
            if (applied && ++appliedSoFar == haltAt) {
                halt(orderNo, received.get());
            }
        }
        if (unacknowledged > 0) {
            channel.basicAck(lastTag, true);
        }
    }

    /** Applies the order as the mode does; whether it was applied (else skipped as a duplicate). */
    private boolean applyOrder(int orderNo) throws SQLException, InterruptedException {
        // In a mode of two commits the halt comes between them, at the haltAt-th order; else after applying it.
        Runnable betweenCommits = appliedSoFar + 1 == haltAt ? () -> halt(orderNo, received.get()) : () -> { };
        return switch (mode) {
            case AT_MOST_ONCE, AT_LEAST_ONCE -> apply(database, orderNo);
            case EFFECTIVELY_ONCE -> applyOnce(database, orderNo);
            case ROW_FIRST -> rowThenEffect(database, orderNo, betweenCommits);
            case EFFECT_FIRST -> effectThenRow(database, orderNo, betweenCommits);
        };
    }

    /** The effect alone: a redelivered order is applied again. */
    private static boolean apply(Connection database, int orderNo) throws SQLException, InterruptedException {
        work();
        insert(database, "INSERT INTO applied (order_no) VALUES (?)", orderNo);
        database.commit();
        return true;
    }

    /**
     * The dedup row and the effect in one transaction: committed together or not at all. Two transactions would leave
     * a gap for the kill: effect committed without its dedup row (applied again on redelivery), or the dedup row
     * without its effect (skipped, never applied).
     */
    private static boolean applyOnce(Connection database, int orderNo) throws SQLException, InterruptedException {
        try {
            // The primary key, not a look-up first, decides: it also holds when two consumers race for one order.
            insert(database, "INSERT INTO processed (order_no) VALUES (?)", orderNo);
        }
        catch (SQLIntegrityConstraintViolationException alreadyApplied) {
            database.rollback();
            return false;
        }
        work();
        insert(database, "INSERT INTO applied (order_no) VALUES (?)", orderNo);
        database.commit();
        return true;
    }

    /**
     * The dedup row committed first, on its own, then the effect in a second transaction: a crash between the two
     * leaves the row without its effect, and the redelivered order is skipped as done.
     */
    private static boolean rowThenEffect(Connection database, int orderNo, Runnable betweenCommits)
            throws SQLException, InterruptedException {
        try {
            insert(database, "INSERT INTO processed (order_no) VALUES (?)", orderNo);
            database.commit();
        }
        catch (SQLIntegrityConstraintViolationException alreadyApplied) {
            database.rollback();
            return false;
        }
        betweenCommits.run();
        work();
        insert(database, "INSERT INTO applied (order_no) VALUES (?)", orderNo);
        database.commit();
        return true;
    }

    /**
     * The effect committed first, then the dedup row in a second transaction: a crash between the two leaves the
     * effect without its row, and the redelivered order is applied again. (The check can only be a look-up here: the
     * row that would decide comes after the effect.)
     */
    private static boolean effectThenRow(Connection database, int orderNo, Runnable betweenCommits)
            throws SQLException, InterruptedException {
        try (PreparedStatement lookUp = database.prepareStatement("SELECT 1 FROM processed WHERE order_no = ?")) {
            lookUp.setInt(1, orderNo);
            if (lookUp.executeQuery().next()) {
                database.rollback();
                return false;
            }
        }
        work();
        insert(database, "INSERT INTO applied (order_no) VALUES (?)", orderNo);
        database.commit();
        betweenCommits.run();
        insert(database, "INSERT INTO processed (order_no) VALUES (?)", orderNo);
        database.commit();
        return true;
    }

    /** Says where it stopped, and stays there until the lab's SIGKILL. */
    private static void halt(int orderNo, int received) {
        System.out.println("halted " + orderNo + " " + received);
        try {
            Thread.sleep(Long.MAX_VALUE);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while halted at order " + orderNo, ex);
        }
    }

    private static void work() throws InterruptedException {
        Thread.sleep(WORK_MILLIS);
    }

    private static void insert(Connection database, String sql, int orderNo) throws SQLException {
        try (PreparedStatement insert = database.prepareStatement(sql)) {
            insert.setInt(1, orderNo);
            insert.executeUpdate();
        }
    }
}
