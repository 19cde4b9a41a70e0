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
 * @param dataReplyTimeout how long to wait for the server's reply once a mail's data has gone out: longer than a
 *        command's wait ({@code spring.mail.properties.mail.smtp.timeout}), because a reply given up on here means a
 *        mail sent twice (see {@link ReplyAwareSmtpTransport}); RFC 5321 asks for ten minutes, and this waits one,
 *        so that a hung server holds a consumer for a minute at most
 */
@ConfigurationProperties("flashsale.email")
public record EmailProperties(
        String from,
        @DefaultValue("flashsale.local") String messageIdDomain,
        @DefaultValue("250ms") Duration smtpPollInterval,
        @DefaultValue("60s") Duration dataReplyTimeout) {
}
