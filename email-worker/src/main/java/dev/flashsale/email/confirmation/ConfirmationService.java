package dev.flashsale.email.confirmation;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.Outcome;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.mail.MailException;
import org.springframework.stereotype.Service;

/**
 * Sends the confirmation of each order, once per order as far as this worker can tell, and never loses one.
 *
 * <p>While SMTP is down (the circuit breaker is open), a consumer holds its message and waits instead of
 * calling SMTP again and again or using up the message's retries: nothing is acknowledged, nothing goes
 * to the DLQ, and the other messages wait in the queue. When the breaker lets a trial call through and it
 * succeeds, every consumer goes on. A failure while the breaker is closed is an ordinary failure, retried
 * with backoff and in the end dead-lettered.
 */
@Service
public class ConfirmationService {

    private static final Logger log = LoggerFactory.getLogger(ConfirmationService.class);

    private final ConfirmationMail mail;
    private final SmtpGateway smtp;

    ConfirmationService(ConfirmationMail mail, SmtpGateway smtp) {
        this.mail = mail;
        this.smtp = smtp;
    }

    /**
     * Sends the order's confirmation; the pipeline runs this inside the dedup transaction. The order of things,
     * and why a crash can at worst send a mail twice but never lose one:
     * <ol>
     * <li>the dedup row of the order is inserted, not yet committed;</li>
     * <li>the mail is handed to the SMTP server here, which accepts it;</li>
     * <li>the transaction commits, and only then does the listener container acknowledge the message.</li>
     * </ol>
     * A crash before 2 leaves nothing sent and the message unacknowledged: it is redelivered and sent.
     * A crash between 2 and 3 leaves the mail sent but no dedup row and the message unacknowledged: the
     * redelivery sends it again, with the same {@code Message-ID}. Nothing is acknowledged before SMTP has
     * accepted the mail, so none is lost; sending before the commit is what makes "twice" possible, and
     * committing first would make "never" possible instead, which is worse for a confirmation.
     */
    public Outcome send(OrderPlaced event) {
        smtp.send(mail.build(event));
        return Outcome.of("sent", null);
    }

    /**
     * Waits, if sending failed because SMTP is unavailable (the breaker is open, or a failure while it is not closed),
     * until the breaker lets calls through again: then the order is sent again at once, without using up one of its
     * attempts. The pipeline calls this only for an order applied on its own, outside its transaction: a batch would
     * be held open by the wait, so there a failure hands the order to the one-at-a-time path, which waits here.
     *
     * @return whether it waited (SMTP was unavailable); {@code false} leaves the failure to the retries
     */
    public boolean awaitSmtp(OrderPlaced event, RuntimeException failure) throws InterruptedException {
        boolean unavailable = failure instanceof CallNotPermittedException
                || failure instanceof MailException && smtp.state() != CircuitBreaker.State.CLOSED;
        if (!unavailable) {
            return false;
        }
        log.warn("SMTP is unavailable (circuit breaker {}): holding order {} until it lets calls through",
                smtp.state(), event.orderId());
        smtp.awaitPermission();
        return true;
    }
}
