package dev.flashsale.worker.deadletter;

import java.time.Clock;

import dev.flashsale.events.Topology;
import dev.flashsale.worker.WorkerProperties;
import io.micrometer.tracing.Tracer;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Dead letters you can act on: a consumer that moves each one from the worker's DLQ into the {@code dead_letter}
 * table, and the admin operations on that table (list, group, replay, discard) with their HTTP API.
 */
@Configuration(proxyBeanMethods = false)
@Import({ DeadLetterController.class, DeadLetterExceptionHandler.class })
public class DeadLetterConfiguration {

    private final WorkerProperties properties;

    DeadLetterConfiguration(WorkerProperties properties) {
        this.properties = properties;
    }

    @Bean
    DeadLetterRepository deadLetterRepository(JdbcClient jdbc, JsonMapper json) {
        return new DeadLetterRepository(jdbc, json);
    }

    @Bean
    DeadLetterService deadLetterService(DeadLetterRepository repository, RabbitTemplate rabbit,
            PlatformTransactionManager transactionManager, Tracer tracer) {
        WorkerProperties.DeadLetters settings = properties.deadLetters();
        return new DeadLetterService(repository,
                new ReplayPublisher(rabbit, properties.queue(), settings.replayConfirmTimeout(), tracer),
                new TransactionTemplate(transactionManager), settings.replayBatchSize());
    }

    @Bean
    DeadLetterIngester deadLetterIngester(DeadLetterRepository repository, Clock clock) {
        return new DeadLetterIngester(repository, clock, properties.deadLetters().ingestRetryMaxInterval());
    }

    /**
     * The DLQ's only consumer. Not the workers' container factory: a dead letter is never retried and dead-lettered
     * again, it is stored. One consumer, acknowledgements on the wire after the row is committed (never autoAck),
     * and a message that could not be stored goes back to the queue.
     */
    @Bean
    SimpleMessageListenerContainer deadLetterIngestionContainer(ConnectionFactory connectionFactory, DeadLetterIngester ingester) {
        SimpleMessageListenerContainer container = new SimpleMessageListenerContainer(connectionFactory);
        container.setQueueNames(Topology.deadLetterQueue(properties.queue()));
        container.setAcknowledgeMode(AcknowledgeMode.AUTO);
        container.setConcurrentConsumers(1);
        container.setPrefetchCount(10);
        container.setDefaultRequeueRejected(true);
        container.setMessageListener(ingester);
        return container;
    }
}
