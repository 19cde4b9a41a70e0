package dev.flashsale.email.confirmation;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts the mails whose data went out and whose reply never came back ({@link ReplyAwareSmtpTransport}): each is
 * sent again, so the SMTP server may now hold two copies of it, with one {@code Message-ID}. This is where the
 * system's exactly-once ends: inside it, each order is applied once; at the edge to SMTP, a mail is delivered at least
 * once, with a stable {@code Message-ID} that lets the receiving side drop the copy. The count is the bound on such
 * copies that the fault suite and the benchmark check the mails against.
 *
 * <p>On {@code /actuator/prometheus} as {@code flashsale_email_unanswered_sends_total}, and in {@code GET /api/stats}
 * as {@code workerCounts.unansweredSends} ({@link SmtpConfiguration}).
 */
class UnansweredSends {

    static final String METER = "flashsale.email.unanswered.sends";

    private static final Logger log = LoggerFactory.getLogger(UnansweredSends.class);

    private final Counter counter;

    UnansweredSends(MeterRegistry registry) {
        this.counter = Counter.builder(METER)
                .description("Mails whose data went out to SMTP and whose reply never came: sent again, so the receiver may hold "
                        + "two copies with the same Message-ID")
                .register(registry);
    }

    long count() {
        return (long) counter.count();
    }

    /** Counts and logs one unanswered send; answers the exception the send fails with. */
    UnansweredMailException record(MimeMessage message, ReplyAwareSmtpTransport.UnansweredSendException ex) {
        counter.increment();
        String messageId = messageId(message);
        log.warn("Unanswered send of mail {}: {}. It is sent again with the same Message-ID; the receiver may get two copies",
                messageId, ex.getCause() == null ? ex.getMessage() : ex.getCause().toString());
        return new UnansweredMailException(messageId, ex);
    }

    private static String messageId(MimeMessage message) {
        try {
            return message.getMessageID();
        }
        catch (MessagingException ex) {
            return "(no Message-ID)";
        }
    }
}
