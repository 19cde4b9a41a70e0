package dev.flashsale.email.confirmation;

import dev.flashsale.events.OrderPlaced;
import dev.flashsale.worker.IdempotentProcessor;
import dev.flashsale.worker.Outcome;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.mail.MailException;
import org.springframework.mail.MailSendException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionSynchronizationManager;

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

    private final IdempotentProcessor processor;
    private final ConfirmationMail mail;
    private final SmtpGateway smtp;

    ConfirmationService(IdempotentProcessor processor, ConfirmationMail mail, SmtpGateway smtp) {
        this.processor = processor;
        this.mail = mail;
        this.smtp = smtp;
    }

    /**
     * Sends the order's confirmation unless it was sent already. On its own, it waits while SMTP is unavailable;
     * inside a batch's transaction it fails instead, because a wait would hold the whole batch open: the consumer
     * then commits the orders before this one and hands this one to the one-at-a-time path, where waiting holds
     * nobody else up.
     */
    public void confirm(OrderPlaced event) {
        boolean inBatch = TransactionSynchronizationManager.isActualTransactionActive();
        while (true) {
            try {
                processor.processOnce(event, this::send);
                return;
            }
            catch (CallNotPermittedException open) {
                if (inBatch) {
                    throw open;
                }
                waitForSmtp(event);
            }
            catch (MailException failure) {
                if (inBatch || smtp.state() == CircuitBreaker.State.CLOSED) {
                    throw failure;
                }
                waitForSmtp(event);
            }
        }
    }

    /**
     * Runs inside the dedup transaction. The order of things, and why a crash can at worst send a mail
     * twice but never lose one:
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
    private Outcome send(OrderPlaced event) {
        smtp.send(mail.build(event));
        return Outcome.of("sent", null);
    }

    private void waitForSmtp(OrderPlaced event) {
        log.warn("SMTP is unavailable (circuit breaker {}): holding order {} until it lets calls through",
                smtp.state(), event.orderId());
        try {
            smtp.awaitPermission();
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new MailSendException("Interrupted while waiting for SMTP; order " + event.orderId() + " goes back to the queue");
        }
    }
}
