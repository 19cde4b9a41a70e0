package dev.flashsale.order.messaging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.amqp.autoconfigure.RabbitTemplateCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Boot's {@code RabbitTemplate}, with publisher confirms, returns and mandatory publishing set in
 * {@code application.yml}. A returned message is handled where it was sent, through its
 * {@code CorrelationData} (see {@code OutboxPublisher}); the template-wide callback only logs.
 */
@Configuration(proxyBeanMethods = false)
class RabbitTemplateConfig {

    private static final Logger log = LoggerFactory.getLogger(RabbitTemplateConfig.class);

    @Bean
    RabbitTemplateCustomizer returnsAreHandledPerMessage() {
        return template -> template.setReturnsCallback(returned -> log.debug("Returned by the broker ({}): message {}",
                returned.getReplyText(), returned.getMessage().getMessageProperties().getMessageId()));
    }
}
