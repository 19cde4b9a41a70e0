package dev.flashsale.email.confirmation;

import java.time.Duration;
import java.util.Date;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.stereotype.Component;

/**
 * Open SMTP connections, kept and reused: {@code JavaMailSender.send} opens a connection for every mail (a TCP
 * connect, a greeting, {@code EHLO}, then {@code QUIT}), which costs more than the mail itself when thousands of
 * confirmations go out a minute. A sender borrows an idle connection, sends on it and gives it back; a connection
 * idle for longer than {@link #MAX_IDLE} is closed rather than reused, since SMTP servers drop idle clients, and one
 * that failed is closed for good.
 *
 * <p>Each connection is a {@link ReplyAwareSmtpTransport}: a send whose data went out and whose reply never came is
 * counted as an unanswered send ({@link UnansweredSends}) and fails with {@link UnansweredMailException}, so that its
 * retry, which may leave the receiver a second copy, is accounted for.
 */
@Component
class SmtpConnections implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(SmtpConnections.class);

    /** Well under the idle timeouts of SMTP servers (Postfix: 300 s; test servers less). */
    static final Duration MAX_IDLE = Duration.ofSeconds(2);

    /** Idle connections kept at most; more senders at once open more, and close them when done. */
    private static final int MAX_KEPT = 8;

    private record Connection(Transport transport, long idleSince) {
    }

    private final JavaMailSenderImpl mail;
    private final Duration dataReplyTimeout;
    private final UnansweredSends unanswered;
    private final BlockingDeque<Connection> idle = new LinkedBlockingDeque<>(MAX_KEPT);

    SmtpConnections(JavaMailSenderImpl mail, EmailProperties properties, UnansweredSends unanswered) {
        this.mail = mail;
        this.dataReplyTimeout = properties.dataReplyTimeout();
        this.unanswered = unanswered;
    }

    /** Hands the mail to the SMTP server; a {@link MailSendException} if it did not take it. */
    void send(MimeMessage message) {
        Transport transport = borrow();
        try {
            if (message.getSentDate() == null) {
                message.setSentDate(new Date());
            }
            // saveChanges gives the message a new Message-ID; the stable one is set back (see ConfirmationMail).
            String messageId = message.getMessageID();
            message.saveChanges();
            if (messageId != null) {
                message.setHeader("Message-ID", messageId);
            }
            transport.sendMessage(message, message.getAllRecipients());
        }
        catch (ReplyAwareSmtpTransport.UnansweredSendException ex) {
            close(transport);
            throw unanswered.record(message, ex);
        }
        catch (MessagingException | RuntimeException ex) {
            close(transport);
            throw new MailSendException("The SMTP server did not take the mail: " + ex.getMessage(), ex);
        }
        if (!idle.offerFirst(new Connection(transport, System.nanoTime()))) {
            close(transport);
        }
    }

    private Transport borrow() {
        for (Connection connection; (connection = idle.pollFirst()) != null; ) {
            if (System.nanoTime() - connection.idleSince() < MAX_IDLE.toNanos()) {
                return connection.transport();
            }
            close(connection.transport());
        }
        try {
            Transport transport = ReplyAwareSmtpTransport.open(mail.getSession(), dataReplyTimeout);
            transport.connect(mail.getHost(), mail.getPort(), mail.getUsername(), mail.getPassword());
            return transport;
        }
        catch (MessagingException ex) {
            throw new MailSendException("Cannot connect to the SMTP server at " + mail.getHost() + ":" + mail.getPort(), ex);
        }
    }

    private static void close(Transport transport) {
        try {
            transport.close();
        }
        catch (MessagingException | RuntimeException ex) {
            log.debug("Closing an SMTP connection: {}", ex.toString());
        }
    }

    @Override
    public void destroy() {
        for (Connection connection; (connection = idle.pollFirst()) != null; ) {
            close(connection.transport());
        }
    }
}
