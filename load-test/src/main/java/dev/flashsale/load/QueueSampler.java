package dev.flashsale.load;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.http.client.domain.MessageStats;
import com.rabbitmq.http.client.domain.QueueInfo;
import com.rabbitmq.http.client.domain.RateDetails;
import dev.flashsale.testsupport.RabbitManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, every half second while it runs, each work queue's depth and each worker's progress: the depth
 * from AMQP (a passive declare answers with the ready count at once), the unacknowledged count and the
 * broker's rates from the management API (which the broker refreshes every few seconds), and how many orders
 * each worker has applied, from the worker itself (the consumers' rate, exactly).
 */
final class QueueSampler implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(QueueSampler.class);

    /**
     * One queue at one moment.
     *
     * @param atMillis milliseconds since the sampler started
     * @param queue the work queue
     * @param ready messages waiting to be delivered
     * @param unacknowledged messages delivered and not yet acknowledged (management API)
     * @param publishRate messages per second into the queue (management API)
     * @param ackRate messages per second acknowledged (management API)
     * @param applied orders the queue's worker has applied since it started
     */
    record Sample(long atMillis, String queue, long ready, long unacknowledged, double publishRate, double ackRate, long applied) {
    }

    private final RabbitManagement management;
    private final String virtualHost;
    private final Map<String, WorkerApis.Worker> queues;
    private final Connection connection;
    private final Channel channel;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "queue-sampler");
        thread.setDaemon(true);
        return thread;
    });
    private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    private final long start = System.nanoTime();
    private volatile Map<String, QueueInfo> lastManaged = Map.of();
    private int ticks;

    /**
     * Starts sampling.
     *
     * @param queues each work queue with the worker that consumes it
     */
    QueueSampler(BrokerEndpoint broker, String virtualHost, RabbitManagement management, Map<String, WorkerApis.Worker> queues) {
        this.management = management;
        this.virtualHost = virtualHost;
        this.queues = new LinkedHashMap<>(queues);
        try {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(broker.host());
            factory.setPort(broker.port());
            factory.setUsername(broker.username());
            factory.setPassword(broker.password());
            factory.setVirtualHost(virtualHost);
            this.connection = factory.newConnection("flashsale-benchmark-sampler");
            this.channel = connection.createChannel();
        }
        catch (IOException | TimeoutException ex) {
            throw new IllegalStateException("The sampler cannot connect to the broker", ex);
        }
        timer.scheduleAtFixedRate(this::sample, 0, 500, TimeUnit.MILLISECONDS);
    }

    /** Milliseconds since the sampler started, on the clock its samples use. */
    long now() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** The samples taken between two moments of {@link #now()}, in order. */
    List<Sample> between(long fromMillis, long toMillis) {
        List<Sample> window = new ArrayList<>();
        for (Sample sample : samples) {
            if (sample.atMillis() >= fromMillis && sample.atMillis() <= toMillis) {
                window.add(sample);
            }
        }
        return window;
    }

    /** The number of ready messages in a queue right now. */
    long ready(String queue) {
        try {
            synchronized (channel) {
                return channel.queueDeclarePassive(queue).getMessageCount();
            }
        }
        catch (IOException ex) {
            throw new IllegalStateException("Cannot read the depth of " + queue, ex);
        }
    }

    private void sample() {
        try {
            long at = now();
            if (ticks++ % 2 == 0) {
                Map<String, QueueInfo> managed = new HashMap<>();
                queues.keySet().forEach(queue -> managed.put(queue, management.queue(virtualHost, queue)));
                lastManaged = managed;
            }
            for (Map.Entry<String, WorkerApis.Worker> queue : queues.entrySet()) {
                QueueInfo state = lastManaged.get(queue.getKey());
                MessageStats stats = state == null ? null : state.getMessageStats();
                samples.add(new Sample(at, queue.getKey(), ready(queue.getKey()),
                        state == null ? 0 : Math.max(0, state.getMessagesUnacknowledged()),
                        stats == null ? 0 : rate(stats.getBasicPublishDetails()), stats == null ? 0 : rate(stats.getAckDetails()),
                        queue.getValue().appliedSinceStart()));
            }
        }
        catch (RuntimeException ex) {
            // A worker restarting or the management API catching up: the next tick tries again.
            log.debug("Sampling failed: {}", ex.toString());
        }
    }

    /** A rate the broker has not computed yet (no message so far) is none. */
    private static double rate(RateDetails details) {
        return details == null ? 0 : details.getRate();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            connection.close();
        }
        catch (IOException | RuntimeException ex) {
            log.debug("Closing the sampler's connection: {}", ex.toString());
        }
    }
}
