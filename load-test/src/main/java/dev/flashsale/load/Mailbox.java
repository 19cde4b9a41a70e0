package dev.flashsale.load;

import java.util.HashMap;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The SMTP server the email worker sends its confirmations to (GreenMail, in this JVM), counting mails per
 * order by their {@code Message-ID} ({@code <order-<orderId>@…>}): a mail sent twice shows as a count of 2.
 */
final class Mailbox implements AutoCloseable {

    private final GreenMail smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

    Mailbox() {
        smtp.start();
    }

    int port() {
        return smtp.getSmtp().getPort();
    }

    /** Mails received so far, per order id. */
    Map<String, Integer> perOrder() {
        Map<String, Integer> counts = new HashMap<>();
        for (MimeMessage mail : smtp.getReceivedMessages()) {
            counts.merge(orderIdOf(mail), 1, Integer::sum);
        }
        return counts;
    }

    private static String orderIdOf(MimeMessage mail) {
        try {
            String messageId = mail.getMessageID();
            return messageId.substring("<order-".length(), messageId.indexOf('@'));
        }
        catch (MessagingException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close() {
        smtp.stop();
    }
}
