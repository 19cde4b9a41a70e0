package dev.flashsale.load;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.flashsale.testsupport.NoDelayGreenMail;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The SMTP server the email worker sends its confirmations to (GreenMail, in this JVM), counting mails per
 * order by their {@code Message-ID} ({@code <order-<orderId>@…>}): a mail sent twice shows as a count of 2.
 */
final class Mailbox implements AutoCloseable {

    private final GreenMail smtp = new NoDelayGreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    private final CountingRecipient recipient = new CountingRecipient();

    Mailbox() {
        // Every mail goes to one recipient that counts it and keeps nothing: see CountingRecipient.
        smtp.getUserManager().setMessageDeliveryHandler((message, address) -> recipient);
        smtp.start();
    }

    int port() {
        return smtp.getSmtp().getPort();
    }

    /** Mails received so far, per order id. */
    Map<String, Integer> perOrder() {
        return Map.copyOf(recipient.perOrder);
    }

    @Override
    public void close() {
        smtp.stop();
    }

    /**
     * Where GreenMail delivers every mail: it counts the mail by the order id in its {@code Message-ID} and keeps
     * nothing else. GreenMail's own delivery creates a user for each new address (each order's customer is a new
     * one) and keeps every message in memory; after tens of thousands of orders that made the benchmark's SMTP
     * server, not the email worker, the slowest part of the run (a mail took about 3 ms to store at 40,000 users,
     * against 1 ms at the start, and the JVM it shares with Gatling ran short of heap).
     */
    private static final class CountingRecipient implements GreenMailUser {

        private final Map<String, Integer> perOrder = new ConcurrentHashMap<>();

        @Override
        public void deliver(MovingMessage message) {
            deliver(message.getMessage());
        }

        @Override
        public void deliver(MimeMessage message) {
            try {
                String messageId = message.getMessageID();
                perOrder.merge(messageId.substring("<order-".length(), messageId.indexOf('@')), 1, Integer::sum);
            }
            catch (MessagingException ex) {
                throw new IllegalStateException(ex);
            }
        }

        @Override
        public String getEmail() {
            return "sink@benchmark.local";
        }

        @Override
        public String getLogin() {
            return getEmail();
        }

        @Override
        public void create() {
        }

        @Override
        public void delete() {
        }

        @Override
        public String getPassword() {
            return "";
        }

        @Override
        public void setPassword(String password) {
        }

        @Override
        public void authenticate(String password) throws UserException {
            throw new UserException("The benchmark's mailbox is for counting, not for reading");
        }

        @Override
        public String getQualifiedMailboxName() {
            return getEmail();
        }
    }
}
