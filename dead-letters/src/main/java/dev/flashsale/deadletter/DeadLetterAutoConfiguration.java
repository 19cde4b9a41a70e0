package dev.flashsale.deadletter;

import java.time.Clock;

import dev.flashsale.events.Topology;
import dev.flashsale.worker.DeadLetterRecoverer;
import dev.flashsale.worker.ParkedDeadLetters;
import dev.flashsale.worker.WorkerAutoConfiguration;
import dev.flashsale.worker.WorkerProperties;
import io.micrometer.tracing.Tracer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Dead letters you can act on: a consumer that moves each one from the worker's DLQ into the {@code dead_letter}
 * table, and the admin operations on that table (list, group, replay, discard) with their HTTP API.
 *
 * <p>A module of its own on top of worker-support's pipeline: the pipeline dead-letters a message that failed for good
 * ({@link DeadLetterRecoverer}, which writes the {@code x-*} headers this module reads); a worker that has this module
 * on its class path parks them in its database. The pipeline only learns how many are parked, for its stats
 * ({@link ParkedDeadLetters}).
 */
@AutoConfiguration(after = WorkerAutoConfiguration.class)
@EnableConfigurationProperties(DeadLetterProperties.class)
@Import({ DeadLetterController.class, DeadLetterExceptionHandler.class })
public class DeadLetterAutoConfiguration {

    private final String queue;
    private final DeadLetterProperties properties;

    DeadLetterAutoConfiguration(WorkerProperties worker, DeadLetterProperties properties) {
        this.queue = worker.queue();
        this.properties = properties;
    }

    @Bean
    DeadLetterRepository deadLetterRepository(JdbcClient jdbc, JsonMapper json) {
        return new DeadLetterRepository(jdbc, json);
    }

    @Bean
    DeadLetterService deadLetterService(DeadLetterRepository repository, RabbitTemplate rabbit,
            PlatformTransactionManager transactionManager, Tracer tracer) {
        return new DeadLetterService(repository,
                new ReplayPublisher(rabbit, queue, properties.replayConfirmTimeout(), tracer),
                new TransactionTemplate(transactionManager), properties.replayBatchSize());
    }

    /** How many dead letters are parked, for the pipeline's stats. */
    @Bean
    ParkedDeadLetters parkedDeadLetters(DeadLetterService deadLetters) {
        return deadLetters::parked;
    }

    @Bean
    DeadLetterIngester deadLetterIngester(DeadLetterRepository repository, Clock clock) {
        return new DeadLetterIngester(repository, clock, properties.ingestRetryMaxInterval());
    }

    /**
     * The DLQ's only consumer. Not the workers' container factory: a dead letter is never retried and dead-lettered
     * again, it is stored. One consumer, acknowledgements on the wire after the row is committed (never autoAck),
     * and a message that could not be stored goes back to the queue.
     */
    @Bean
    SimpleMessageListenerContainer deadLetterIngestionContainer(ConnectionFactory connectionFactory, DeadLetterIngester ingester) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.deadLetterQueue(queue));
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        container.setConcurrentConsumers(1);
        container.setPrefetchCount(10);
        container.setDefaultRequeueRejected(true);
        container.setMessageListener(ingester);
        return container;
    }
}
