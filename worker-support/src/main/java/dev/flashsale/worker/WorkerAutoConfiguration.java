package dev.flashsale.worker;

import dev.flashsale.events.InstanceId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import dev.flashsale.security.AccessRule;
import dev.flashsale.worker.WorkerProperties.Dedup;
import dev.flashsale.worker.demo.ConsumptionSwitch;
import dev.flashsale.worker.demo.DemoSwitches;
import dev.flashsale.worker.demo.FaultInjector;
import dev.flashsale.worker.demo.SimulatedCosts;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.amqp.core.Binding;
import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarable;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.DirectExchange;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.rabbit.annotation.RabbitListenerConfigurer;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerContainerFactory;
import org.springframework.amqp.rabbit.config.SimpleRabbitListenerEndpoint;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareBatchMessageListener;
import org.springframework.boot.amqp.autoconfigure.RabbitAutoConfiguration;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.amqp.autoconfigure.SimpleRabbitListenerContainerFactoryConfigurer;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.retry.RetryPolicy;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The consumer pipeline every worker shares, configured once: the topology of the worker's queue, the listener
 * container (Boot's, adjusted through its configurer), applying an order once ({@link OrderApplier}, the dedup table),
 * retries and dead-lettering ({@link DeliveryRetrier}, {@link DeadLetterRecoverer}), the counters and the registry of
 * instances, the fault knobs and the consumption switch with their admin endpoints. What becomes of a dead letter
 * afterwards (its table, its admin API) is the dead-letters module's, auto-configured after this one.
 */
@AutoConfiguration(before = RabbitAutoConfiguration.class)
@EnableConfigurationProperties(WorkerProperties.class)
@EnableScheduling
@Import({ WorkerController.class, OrderPlacedController.class, RateCapController.class, DemoSwitches.class })
public class WorkerAutoConfiguration {

    private final WorkerProperties properties;

    WorkerAutoConfiguration(WorkerProperties properties) {
        if (properties.queue() == null || !Topology.WORK_QUEUES.contains(properties.queue())) {
            throw new IllegalStateException("flashsale.worker.queue must be one of " + Topology.WORK_QUEUES
                    + ", not " + properties.queue());
        }
        this.properties = properties;
    }

    /**
     * The exchange, this worker's queue bound to it, the dead-letter exchange and this worker's DLQ; and the express
     * exchange with this worker's express queue, if it has one.
     */
    @Bean
    Declarables workerTopology() {
        String queue = properties.queue();
        FanoutExchange orders = new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false);
        DirectExchange deadLetters = new DirectExchange(Topology.DEAD_LETTER_EXCHANGE, true, false);
        Queue work = new Queue(queue, true, false, false, Topology.workQueueArguments(queue));
        Queue dlq = new Queue(Topology.deadLetterQueue(queue), true, false, false, Topology.deadLetterQueueArguments());
        List<Declarable> declarables = new ArrayList<>(List.of(orders, deadLetters, work, dlq,
                BindingBuilder.bind(work).to(orders), BindingBuilder.bind(dlq).to(deadLetters).with(Topology.deadLetterQueue(queue))));
        Topology.expressQueue(queue).ifPresent(name -> {
            DirectExchange express = new DirectExchange(Topology.EXPRESS_EXCHANGE, true, false);
            Queue expressQueue = new Queue(name, true, false, false, Topology.expressQueueArguments(queue));
            declarables.addAll(List.of(express, BindingBuilder.bind(express).to(orders), expressQueue,
                    BindingBuilder.bind(expressQueue).to(express).with(Topology.routingKey(OrderPlaced.Priority.EXPRESS))));
        });
        return new Declarables(declarables);
    }

    /**
     * The express queue's listener, for a worker that has one: the same consumer as the work queue's (dedup, retries,
     * dead letters), on a container of its own. Its consumers wait on a queue without a backlog, so an express order
     * is applied as soon as it arrives, however many normal ones wait in the work queue. Whichever of an express
     * order's two copies comes second is skipped by the dedup table.
     */
    @Bean
    RabbitListenerConfigurer expressQueueListener(OrderPlacedConsumer consumer,
            SimpleRabbitListenerContainerFactory orderPlacedContainerFactory, RabbitProperties rabbit) {
        // A fixed number of consumers, the work queue's minimum: "n-n", so that the container's maximum is its minimum too
        // (a plain "n" would keep the factory's max-concurrency, and the container would scale).
        Integer configured = rabbit.getListener().getSimple().getConcurrency();
        int fixed = configured == null ? 1 : configured;
        return registrar -> Topology.expressQueue(properties.queue()).ifPresent(express -> {
            SimpleRabbitListenerEndpoint endpoint = new SimpleRabbitListenerEndpoint();
            endpoint.setId(OrderPlacedConsumer.EXPRESS_LISTENER_ID);
            endpoint.setConcurrency(fixed + "-" + fixed);
            endpoint.setQueueNames(express);
            endpoint.setBatchListener(true);
            endpoint.setMessageListener((ChannelAwareBatchMessageListener) consumer::consumeExpress);
            registrar.registerEndpoint(endpoint, orderPlacedContainerFactory);
        });
    }

    /**
     * The synchronous checkout's call ({@code PUT /api/processed/{orderId}}, {@link OrderPlacedController}) applies an
     * order for real (a mail sent, stock taken): only the other services may make it, with the service credentials.
     */
    @Bean
    AccessRule synchronousCheckoutCall() {
        return AccessRule.services(HttpMethod.PUT, "/api/processed/*");
    }

    /** The one message converter, shared by the listener container and the template. */
    @Bean
    @ConditionalOnMissingBean
    OrderPlacedMessageConverter orderPlacedMessageConverter() {
        return new OrderPlacedMessageConverter();
    }

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    RateCap rateCap() {
        return new RateCap(properties.maxRate(), System::nanoTime);
    }

    @Bean
    WorkerStats workerStats(MeterRegistry registry, ObjectProvider<ParkedDeadLetters> deadLetters, ConsumptionSwitch consumption,
            RateCap rateCap) {
        // Without a dead-letter store (module dead-letters), nothing is parked here: the stats say "unknown" (NaN).
        ParkedDeadLetters parked = deadLetters.getIfAvailable();
        return new WorkerStats(registry, properties.queue(), parked == null ? null : parked::parked, consumption::consuming,
                consumption::consumers, rateCap::perSecond);
    }

    /** The registry of this worker's processes, in its database: every process's counters, for GET /api/stats. */
    @Bean
    WorkerInstances workerInstances(JdbcClient jdbc, JsonMapper json, InstanceId instance, WorkerStats stats) {
        return new WorkerInstances(jdbc, json, instance, stats::figures, properties.instances().liveWithin());
    }

    @Bean
    SchedulingConfigurer workerInstancesHeartbeat(WorkerInstances instances) {
        return registrar -> registrar.addFixedDelayTask(instances::heartbeat, properties.instances().heartbeatInterval());
    }

    @Bean
    DeadLetterRecoverer deadLetterRecoverer(RabbitTemplate template, WorkerStats stats, Clock clock) {
        return new DeadLetterRecoverer(template, properties.queue(), stats,
                properties.retry().deadLetterConfirmTimeout().toMillis(), clock);
    }

    @Bean
    DeliveryRetrier deliveryRetrier(OrderPlacedMessageConverter converter, OrderApplier applier, DeadLetterRecoverer recoverer,
            FaultInjector faults, WorkerStats stats, Clock clock) {
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
        return new DeliveryRetrier(policy, converter, applier, recoverer, faults, stats, clock);
    }

    /** The one way an order is applied: the worker's handler wrapped in the fault knobs, the costs and the dedup. */
    @Bean
    OrderApplier orderApplier(OrderPlacedHandler handler, IdempotentProcessor processor, SimulatedCosts costs,
            FaultInjector faults, WorkerStats stats, PlatformTransactionManager transactionManager) {
        TransactionTemplate savepoint = new TransactionTemplate(transactionManager);
        savepoint.setPropagationBehavior(TransactionDefinition.PROPAGATION_NESTED);
        return new OrderApplier(handler, processor, costs, faults, stats, new TransactionTemplate(transactionManager), savepoint);
    }

    @Bean
    OrderPlacedConsumer orderPlacedConsumer(OrderPlacedMessageConverter converter, OrderApplier applier, DeliveryRetrier retrier,
            FaultInjector faults, RateCap rateCap, ObservationRegistry observations) {
        return new OrderPlacedConsumer(converter, applier, retrier, faults, rateCap, new DeliveryObservations(observations));
    }

    /**
     * The container of this worker's queue: Boot's, configured from {@code spring.rabbitmq.listener.simple.*}
     * (prefetch, concurrency), following the backlog between its concurrency and max-concurrency
     * ({@link WorkerProperties.Consumers}), and made to hand over deliveries in batches, acknowledged by the
     * {@link OrderPlacedConsumer} itself once they are committed. A batch is whatever arrived, up to
     * {@code flashsale.worker.batch.size}: the consumer waits at most {@code flashsale.worker.batch.max-wait} for each
     * next delivery, so at low traffic a batch is one order that waited that long at most.
     */
    @Bean
    SimpleRabbitListenerContainerFactory orderPlacedContainerFactory(SimpleRabbitListenerContainerFactoryConfigurer configurer,
            ConnectionFactory connectionFactory) {
        SimpleRabbitListenerContainerFactory factory = new SimpleRabbitListenerContainerFactory();
        configurer.configure(factory, connectionFactory);
        factory.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        factory.setBatchListener(true);
        factory.setConsumerBatchEnabled(true);
        factory.setBatchSize(properties.batch().size());
        factory.setReceiveTimeout(properties.batch().maxWait().toMillis());
        // Between concurrency and max-concurrency, following the backlog (WorkerProperties.Consumers).
        WorkerProperties.Consumers consumers = properties.consumers();
        factory.setStartConsumerMinInterval(consumers.startInterval().toMillis());
        factory.setStopConsumerMinInterval(consumers.stopInterval().toMillis());
        factory.setConsecutiveActiveTrigger(consumers.activeTrigger());
        factory.setConsecutiveIdleTrigger(consumers.idleTrigger());
        return factory;
    }

    @Bean
    ProcessedOrderRepository processedOrderRepository(JdbcClient jdbc) {
        return new ProcessedOrderRepository(jdbc);
    }

    @Bean
    IdempotentProcessor idempotentProcessor(ProcessedOrderRepository repository, PlatformTransactionManager transactionManager,
            WorkerStats stats, Clock clock, ObservationRegistry observations) {
        return new IdempotentProcessor(repository, new TransactionTemplate(transactionManager), stats, clock, observations);
    }

    /** This process's name among the worker's processes. */
    @Bean
    InstanceId instanceId() {
        return InstanceId.ofThisProcess();
    }

    @Bean
    WorkerTasks workerTasks(JdbcClient jdbc) {
        return new WorkerTasks(jdbc);
    }

    @Bean
    DedupPurger dedupPurger(ProcessedOrderRepository repository, WorkerTasks tasks, InstanceId instance, Clock clock) {
        Dedup dedup = properties.dedup();
        return new DedupPurger(repository, tasks, dedup.retention(), dedup.purgeInterval(), instance.value(), clock);
    }

    /** Scheduled in every process; one of them purges each interval (DedupPurger). */
    @Bean
    SchedulingConfigurer dedupPurgeSchedule(DedupPurger purger) {
        return registrar -> registrar.addFixedDelayTask(purger::purgeIfDue, properties.dedup().purgeInterval());
    }
}
