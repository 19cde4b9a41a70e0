package dev.flashsale.email.confirmation;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How confirmations are sent.
 *
 * @param from the sender, e.g. {@code Flash Sale <orders@flashsale.local>}
 * @param messageIdDomain the right-hand side of the stable {@code Message-ID} ({@code <order-<id>@domain>})
 * @param smtpPollInterval how often a consumer holding a message looks whether the SMTP breaker lets calls through again
 */
@ConfigurationProperties("flashsale.email")
public record EmailProperties(
        String from,
        @DefaultValue("flashsale.local") String messageIdDomain,
        @DefaultValue("250ms") Duration smtpPollInterval) {
}
