package dev.flashsale.email.confirmation;

import org.springframework.mail.MailSendException;

/**
 * A mail was handed to SMTP in full and no reply came back: the server may have it. Retried like any failed send,
 * at the price of a possible second copy (see {@link ReplyAwareSmtpTransport}).
 */
public class UnansweredMailException extends MailSendException {

    UnansweredMailException(String messageId, Exception cause) {
        super("No reply from the SMTP server after the data of mail " + messageId + "; it may have been taken", cause);
    }
}
