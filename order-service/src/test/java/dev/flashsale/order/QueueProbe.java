package dev.flashsale.order;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import dev.flashsale.events.EventHeaders;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stands in for the three workers: consumes every work queue straight from the broker (not
 * through the proxy) and keeps what arrived, by order id, so that tests can wait for their orders.
 */
public class QueueProbe implements AutoCloseable {

    /** A message as it arrived in one queue. */
    public record Received(String queue, String body, AMQP.BasicProperties properties) {
    }

    private final TestBroker broker;
    private final Map<String, List<Received>> byOrderId = new ConcurrentHashMap<>();
    /** The order id of each message, in the order they arrived. */
    private final List<String> arrivals = new CopyOnWriteArrayList<>();
    private Connection connection;

    QueueProbe(TestBroker broker) {
        this.broker = broker;
    }

    /** Everything that arrived for this order, in any queue. */
    public List<Received> receivedFor(UUID orderId) {
        return List.copyOf(byOrderId.getOrDefault(orderId.toString(), List.of()));
    }

    /** Where the arrivals stand now (the probe consuming), to ask later what arrived since. */
    public int mark() {
        start();
        return arrivals.size();
    }

    /**
     * Checks that since the mark only the sentinel's event arrived, or events of orders placed before the mark: an
     * earlier test's order whose event comes late is not this test's doing. The sentinel is an order placed after
     * whatever the test checks; it is awaited first, so that what was published before it has had its chance to arrive.
     */
    public void assertOnlyTheSentinelSince(int mark, UUID sentinel, Predicate<String> placedBeforeTheMark, Duration timeout) {
        awaitInEveryQueue(sentinel, timeout);
        assertThat(List.copyOf(arrivals.subList(mark, arrivals.size()))).as("orders whose events arrived since the mark")
                .allMatch(orderId -> orderId.equals(sentinel.toString()) || placedBeforeTheMark.test(orderId))
                .filteredOn(sentinel.toString()::equals).hasSize(Topology.WORK_QUEUES.size());
    }

    /** Waits until the order's event has arrived in every work queue, and returns what arrived. */
    public List<Received> awaitInEveryQueue(UUID orderId, Duration timeout) {
        start();
        await().atMost(timeout).until(() -> receivedFor(orderId).stream().map(Received::queue).distinct().count()
                == Topology.WORK_QUEUES.size());
        return receivedFor(orderId);
    }

    /**
     * Binds every work queue and the history stream to the orders exchange again, straight at the broker (not through the service's
     * proxy), so that a test can restore the topology while the service cannot publish.
     */
    public void bindWorkQueues() {
        start();
        try (Channel channel = connection.createChannel()) {
            for (String queue : Topology.WORK_QUEUES) {
                channel.queueBind(queue, Topology.ORDERS_EXCHANGE, "");
            }
            channel.queueBind(Topology.HISTORY_STREAM, Topology.ORDERS_EXCHANGE, "");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (TimeoutException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Starts consuming, once the service has declared the queues. */
    public synchronized void start() {
        if (connection != null) {
            return;
        }
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(broker.host());
            factory.setPort(broker.port());
            factory.setUsername(broker.username());
            factory.setPassword(broker.password());
            factory.setVirtualHost(broker.virtualHost());
            connection = factory.newConnection("order-service-tests-probe");
            for (String queue : Topology.WORK_QUEUES) {
                Channel channel = connection.createChannel();
                channel.basicQos(500);
                channel.basicConsume(queue, false, new DefaultConsumer(channel) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
                            throws IOException {
                        Object orderId = properties.getHeaders() == null ? null : properties.getHeaders().get(EventHeaders.ORDER_ID);
                        byOrderId.computeIfAbsent(String.valueOf(orderId), id -> new CopyOnWriteArrayList<>())
                                .add(new Received(queue, new String(body, StandardCharsets.UTF_8), properties));
                        arrivals.add(String.valueOf(orderId));
                        getChannel().basicAck(envelope.getDeliveryTag(), false);
                    }
                });
            }
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (TimeoutException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (connection != null) {
            connection.close();
        }
    }
}
