package dev.flashsale.worker;

import java.time.Clock;

import dev.flashsale.events.Topology;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Everything the three workers share, configured once: the topology of the worker's queue, the listener
 * container (Boot's, adjusted through its configurer), retry and dead-lettering, the dedup table, the
 * counters, the fault knobs and their admin endpoint.
 */
@AutoConfiguration(before = { RabbitAutoConfiguration.class, ServletWebSecurityAutoConfiguration.class,
        ManagementWebSecurityAutoConfiguration.class })
@EnableConfigurationProperties(WorkerProperties.class)
@EnableScheduling
@Import({ WorkerController.class, AdminController.class, WorkerSecurityConfiguration.class })
public class WorkerAutoConfiguration {

    private final WorkerProperties properties;

    WorkerAutoConfiguration(WorkerProperties properties) {
        if (properties.queue() == null || !Topology.WORK_QUEUES.contains(properties.queue())) {
            throw new IllegalStateException("flashsale.worker.queue must be one of " + Topology.WORK_QUEUES
                    + ", not " + properties.queue());
        }
        this.properties = properties;
    }

    /** The exchange, this worker's queue bound to it, the dead-letter exchange and this worker's DLQ. */
    @Bean
    Declarables workerTopology() {
        String queue = properties.queue();
        FanoutExchange orders = new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false);
        DirectExchange deadLetters = new DirectExchange(Topology.DEAD_LETTER_EXCHANGE, true, false);
        Queue work = new Queue(queue, true, false, false, Topology.workQueueArguments(queue));
        Queue dlq = new Queue(Topology.deadLetterQueue(queue), true, false, false, Topology.deadLetterQueueArguments());
        Binding workBinding = BindingBuilder.bind(work).to(orders);
        Binding dlqBinding = BindingBuilder.bind(dlq).to(deadLetters).with(Topology.deadLetterQueue(queue));
        return new Declarables(orders, deadLetters, work, dlq, workBinding, dlqBinding);
    }

    /** The one message converter, shared by the listener container and the template. */
    @Bean
    @ConditionalOnMissingBean
    OrderPlacedMessageConverter orderPlacedMessageConverter(JsonMapper json) {
        return new OrderPlacedMessageConverter(json);
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    WorkerStats workerStats(MeterRegistry registry) {
        return new WorkerStats(registry, properties.queue());
    }

    @Bean
    FaultInjector faultInjector() {
        return new FaultInjector(properties.faults());
    }

    @Bean
    DeadLetterRecoverer deadLetterRecoverer(RabbitTemplate template, WorkerStats stats) {
        return new DeadLetterRecoverer(template, properties.queue(), stats,
                properties.retry().deadLetterConfirmTimeout().toMillis());
    }

    @Bean
    DeadLetterReplayer deadLetterReplayer(RabbitTemplate template) {
        return new DeadLetterReplayer(template, properties.queue());
    }

    @Bean
    RetryThenDeadLetterAdvice retryThenDeadLetterAdvice(DeadLetterRecoverer recoverer, FaultInjector faults, WorkerStats stats) {
        WorkerProperties.Retry retry = properties.retry();
        FailureClassifier classifier = new FailureClassifier(retry.notRetryable());
        RetryPolicy policy = RetryPolicy.builder()
                .maxRetries(Math.max(0, retry.maxAttempts() - 1))
                .delay(retry.initialInterval())
                .multiplier(retry.multiplier())
                .maxDelay(retry.maxInterval())
                .jitter(retry.jitter())
                .predicate(classifier::isRetryable)
                .build();
        return new RetryThenDeadLetterAdvice(policy, recoverer, faults, stats);
    }

    /**
     * Boot's listener container factory, configured by Boot from {@code spring.rabbitmq.listener.simple.*}
     * (acknowledgements, prefetch, concurrency), with the retry and dead-letter advice added.
     */
    @Bean
    SimpleRabbitListenerContainerFactory rabbitListenerContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory, RetryThenDeadLetterAdvice advice) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setAdviceChain(advice);
        return factory;
    }

    @Bean
    ProcessedOrderRepository processedOrderRepository(JdbcClient jdbc) {
        return new ProcessedOrderRepository(jdbc);
    }

    @Bean
    IdempotentProcessor idempotentProcessor(ProcessedOrderRepository repository, PlatformTransactionManager transactionManager,
            WorkerStats stats, Clock clock) {
        return new IdempotentProcessor(repository, new TransactionTemplate(transactionManager), stats, clock);
    }

    @Bean
    DedupPurger dedupPurger(ProcessedOrderRepository repository, Clock clock) {
        return new DedupPurger(repository, properties.dedup().retention(), clock);
    }

    @Bean
    SchedulingConfigurer dedupPurgeSchedule(DedupPurger purger) {
        return registrar -> registrar.addFixedDelayTask(purger::purge, properties.dedup().purgeInterval());
    }
}
