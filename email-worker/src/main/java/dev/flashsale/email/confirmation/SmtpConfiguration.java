package dev.flashsale.email.confirmation;

import dev.flashsale.worker.WorkerStats;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The count of unanswered SMTP sends, shown with the worker's other counts. */
@Configuration(proxyBeanMethods = false)
class SmtpConfiguration {

    @Bean
    UnansweredSends unansweredSends(MeterRegistry registry, WorkerStats stats) {
        UnansweredSends unanswered = new UnansweredSends(registry);
        stats.show("unansweredSends", unanswered::count);
        return unanswered;
    }
}
