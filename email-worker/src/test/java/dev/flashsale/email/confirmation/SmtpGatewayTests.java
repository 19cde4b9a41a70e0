package dev.flashsale.email.confirmation;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.mail.javamail.JavaMailSenderImpl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class SmtpGatewayTests {

    @Test
    void aConsumerWaitingForAnOpenBreakerGoesOnOnceTheWaitIsOverEvenWithoutTheBackgroundTransition() {
        // No background thread moves this breaker to half-open: only a caller asking for a permission does.
        CircuitBreakerRegistry breakers = CircuitBreakerRegistry.of(CircuitBreakerConfig.custom()
                .waitDurationInOpenState(Duration.ofMillis(300))
                .permittedNumberOfCallsInHalfOpenState(1)
                .automaticTransitionFromOpenToHalfOpenEnabled(false)
                .build());
        EmailProperties properties = new EmailProperties("orders@flashsale.local", "flashsale.local", Duration.ofMillis(20),
                Duration.ofSeconds(60));
        // No mail is sent here: the connections are never used, nor the count of unanswered sends.
        SmtpGateway gateway = new SmtpGateway(new SmtpConnections(new JavaMailSenderImpl(), properties, null), breakers, properties);
        CircuitBreaker breaker = breakers.circuitBreaker("smtp");
        breaker.transitionToOpenState();

        assertTimeoutPreemptively(Duration.ofSeconds(5), gateway::awaitPermission);

        assertThat(breaker.getState()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.tryAcquirePermission()).as("the trial call is left for the consumer to make").isTrue();
    }
}
