package dev.flashsale.analytics.history;

import java.time.Clock;
import java.time.Duration;

import dev.flashsale.analytics.sales.SalesService;
import dev.flashsale.events.Topology;
import dev.flashsale.worker.OrderPlacedMessageConverter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.amqp.core.BindingBuilder;
import org.springframework.amqp.core.Declarables;
import org.springframework.amqp.core.FanoutExchange;
import org.springframework.amqp.core.Queue;
import org.springframework.amqp.core.QueueBuilder;
import org.springframework.amqp.core.AmqpAdmin;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.IntervalTask;

/** The history stream as the analytics worker reads it, and the rebuild that reads it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(HistoryProperties.class)
class HistoryConfiguration {

    private static final Logger log = LoggerFactory.getLogger(HistoryConfiguration.class);

    /** The stream, bound to the orders exchange: declared here too, so that it exists for whichever service is first. */
    @Bean
    Declarables historyTopology() {
        FanoutExchange orders = new FanoutExchange(Topology.ORDERS_EXCHANGE, true, false);
        Queue history = QueueBuilder.durable(Topology.HISTORY_STREAM).withArguments(Topology.historyStreamArguments()).build();
        return new Declarables(history, BindingBuilder.bind(history).to(orders));
    }

    @Bean(destroyMethod = "stop")
    HistoryRebuild historyRebuild(SalesService sales, ConnectionFactory connectionFactory, RabbitTemplate template,
            AmqpAdmin admin, OrderPlacedMessageConverter converter, HistoryProperties properties, Clock clock) {
        return new HistoryRebuild(sales, connectionFactory, template, admin, converter, properties, clock);
    }

    /**
     * A rebuild's replay dies with its process: a generation it left open would be written to forever. Closed at
     * start-up, and checked every 30 s after, since with several processes the one that died may still look live to
     * the others for a few seconds (SalesService.closeAbandoned).
     */
    @Bean
    ApplicationRunner closeAbandonedRebuild(SalesService sales) {
        return args -> closeAbandoned(sales);
    }

    @Bean
    SchedulingConfigurer closeAbandonedRebuildLater(SalesService sales) {
        return registrar -> registrar.addFixedDelayTask(new IntervalTask(() -> closeAbandoned(sales), Duration.ofSeconds(30),
                Duration.ofSeconds(30)));
    }

    private static void closeAbandoned(SalesService sales) {
        sales.closeAbandoned().ifPresent(generation ->
                log.warn("Closed generation {} of the figures: the process that rebuilt it is gone", generation));
    }
}
