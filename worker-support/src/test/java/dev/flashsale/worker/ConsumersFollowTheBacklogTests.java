package dev.flashsale.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.TestBroker;
import dev.flashsale.worker.demo.ConsumptionSwitch;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.RabbitListenerEndpointRegistry;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.util.ReflectionTestUtils;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The work queue's consumers follow its backlog with the batch listener (consumer batches, a 5 ms receive timeout):
 * a backlog that drains slowly (a simulated downstream call of 200 ms per batch of 10) takes them from 2 to 8, as the
 * container, the {@code flashsale_worker_consumers} gauge and the broker count them, and once it is drained they go
 * back to 2. The express queue's container keeps its 2 throughout.
 *
 * <p>The intervals are the workers' defaults (a consumer added at most every 3 s), except the stop interval: 3 s instead
 * of 30 s, so that the way down takes 20 s instead of 3 min. The test logs what it measured (docs/scaling.md).
 */
@SpringBootTest(classes = TestWorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "flashsale.worker.costs.steps.downstream-call=200ms",
        "flashsale.worker.batch.size=10",
        "spring.rabbitmq.listener.simple.prefetch=20",
        "flashsale.worker.consumers.stop-interval=3s" })
@DirtiesContext
class ConsumersFollowTheBacklogTests {

    /** A virtual host of its own: no other test's worker consumes its queue, and its consumers are gone after it. */
    private static final String VIRTUAL_HOST = TestBroker.get().newVirtualHost("backlog");

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        TestBroker.get().register(registry);
        registry.add("spring.rabbitmq.virtual-host", () -> VIRTUAL_HOST);
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:./target/test-db/" + UUID.randomUUID());
    }

    private static final Logger log = LoggerFactory.getLogger(ConsumersFollowTheBacklogTests.class);

    private static final String QUEUE = Topology.EMAIL_QUEUE;
    private static final int MIN = 2;
    private static final int MAX = 8;

    @Autowired
    RabbitTemplate rabbit;

    @Autowired
    RabbitListenerEndpointRegistry registry;

    @Autowired
    ConsumptionSwitch consumption;

    @LocalServerPort
    int port;

    @Test
    void aBacklogTakesTheConsumersToTheMaximumAndTheyGoBackToTheMinimumOnceItIsDrained() throws Exception {
        SimpleMessageListenerContainer work = (SimpleMessageListenerContainer) registry.getListenerContainer(OrderPlacedConsumer.LISTENER_ID);
        SimpleMessageListenerContainer express = (SimpleMessageListenerContainer) registry.getListenerContainer(
                OrderPlacedConsumer.EXPRESS_LISTENER_ID);
        await().until(() -> work.getActiveConsumerCount() == MIN && express.getActiveConsumerCount() == MIN);
        assertThat(ReflectionTestUtils.getField(express, "maxConcurrentConsumers")).as("the express container never scales").isEqualTo(MIN);
        assertThat(ReflectionTestUtils.getField(work, "maxConcurrentConsumers")).isEqualTo(MAX);

        List<String> timeline = new ArrayList<>();
        long start = System.nanoTime();
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        sampler.scheduleAtFixedRate(() -> {
            JsonNode queue = TestBroker.get().queue(VIRTUAL_HOST, QUEUE);
            timeline.add(String.format("%5.1f s: %d consumers (broker: %d), %d ready", seconds(start), work.getActiveConsumerCount(),
                    queue.path("consumers").asInt(-1), queue.path("messages_ready").asLong(-1)));
        }, 0, 1, TimeUnit.SECONDS);
        try {
            // 8 000 orders: 2 consumers take 100 a second, 8 take 400.
            for (int i = 0; i < 8_000; i++) {
                rabbit.convertAndSend(Topology.ORDERS_EXCHANGE, "", TestWorkerApplication.orderPlaced("c-backlog"));
            }
            double published = seconds(start);

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> work.getActiveConsumerCount() == MAX);
            double atMax = seconds(start);
            assertThat(prometheus()).contains("flashsale_worker_consumers{queue=\"" + QUEUE + "\"} " + (MAX + MIN) + ".0");
            assertThat(consumption.consumers()).isEqualTo(MAX + MIN);
            // The broker's own count (its statistics are refreshed every 5 s).
            await().atMost(Duration.ofSeconds(15)).until(() -> TestBroker.get().queue(VIRTUAL_HOST, QUEUE).path("consumers").asInt() == MAX);
            long readyAtMax = TestBroker.get().queue(VIRTUAL_HOST, QUEUE).path("messages_ready").asLong();
            assertThat(readyAtMax).as("the backlog was still there at the maximum").isPositive();
            assertThat(express.getActiveConsumerCount()).isEqualTo(MIN);

            await().atMost(Duration.ofSeconds(120)).until(() -> TestBroker.get().queue(VIRTUAL_HOST, QUEUE).path("messages").asLong(-1) == 0);
            double drained = seconds(start);
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> work.getActiveConsumerCount() == MIN);
            double backAtMin = seconds(start);
            assertThat(prometheus()).contains("flashsale_worker_consumers{queue=\"" + QUEUE + "\"} " + (MIN + MIN) + ".0");
            await().atMost(Duration.ofSeconds(15)).until(() -> TestBroker.get().queue(VIRTUAL_HOST, QUEUE).path("consumers").asInt() == MIN);

            log.info("Consumers following the backlog: published 8000 in {} s, {} consumers at {} s ({} still ready), "
                    + "drained at {} s, back to {} at {} s", round(published), MAX, round(atMax), readyAtMax, round(drained), MIN,
                    round(backAtMin));
        }
        finally {
            sampler.shutdownNow();
            timeline.forEach(line -> log.info("timeline {}", line));
        }
    }

    private String prometheus() {
        return RestClient.create("http://localhost:" + port).get().uri("/actuator/prometheus").retrieve().body(String.class);
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static String round(double seconds) {
        return String.format("%.1f", seconds);
    }
}
