package dev.flashsale.email.confirmation;

import java.time.Duration;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import jakarta.mail.internet.MimeMessage;

import org.springframework.stereotype.Component;

/** The SMTP server behind the {@code smtp} circuit breaker. */
@Component
class SmtpGateway {

    private final SmtpConnections connections;
    private final CircuitBreaker breaker;
    private final Duration pollInterval;

    SmtpGateway(SmtpConnections connections, CircuitBreakerRegistry breakers, EmailProperties properties) {
        this.connections = connections;
        this.breaker = breakers.circuitBreaker("smtp");
        this.pollInterval = properties.smtpPollInterval();
    }

    /** Hands the mail to SMTP, or fails at once with {@code CallNotPermittedException} while the breaker is open. */
    void send(MimeMessage message) {
        breaker.executeRunnable(() -> connections.send(message));
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** Waits while the breaker is open: until it lets a trial call through, or closes. */
    void awaitPermission() throws InterruptedException {
        do {
            Thread.sleep(pollInterval.toMillis());
        }
        while (breaker.getState() == CircuitBreaker.State.OPEN && !trialDue());
    }

    /**
     * Whether the open breaker's wait is over. Watching the state alone waits forever when nothing else moves the
     * breaker to half-open: automatic transition off in the settings, or its background scheduler late or stuck
     * (resilience4j#2093), while every consumer sits here and none calls SMTP. Asking for a permission makes the
     * transition as a caller would; the permission is handed back at once, for the call that follows to take.
     */
    private boolean trialDue() {
        if (breaker.tryAcquirePermission()) {
            breaker.releasePermission();
            return true;
        }
        return false;
    }
}
