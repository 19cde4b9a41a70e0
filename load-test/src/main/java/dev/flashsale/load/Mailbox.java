package dev.flashsale.load;

import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.util.HashMap;
import java.util.Map;

import com.icegreen.greenmail.Managers;
import com.icegreen.greenmail.server.AbstractServer;
import com.icegreen.greenmail.server.ProtocolHandler;
import com.icegreen.greenmail.smtp.SmtpServer;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;

/**
 * The SMTP server the email worker sends its confirmations to (GreenMail, in this JVM), counting mails per
 * order by their {@code Message-ID} ({@code <order-<orderId>@…>}): a mail sent twice shows as a count of 2.
 */
final class Mailbox implements AutoCloseable {

    private final GreenMail smtp = new NoDelayGreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());

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

    /**
     * GreenMail whose SMTP connections answer without Nagle's algorithm. Profiled with JFR in the benchmark, the email
     * worker waited about 43 ms for each of the server's replies (MAIL FROM, RCPT TO, DATA): some ~130 ms a mail, a
     * ceiling of about 15 mails a second per connection, set by the test's SMTP server rather than by the system. The
     * reply sat in GreenMail's socket until the worker's delayed acknowledgement (about 40 ms on Linux) let it go; SMTP
     * servers built for traffic (Postfix, Mailpit) set {@code TCP_NODELAY}, and so does this one.
     */
    private static final class NoDelayGreenMail extends GreenMail {

        NoDelayGreenMail(ServerSetup setup) {
            super(setup);
        }

        @Override
        protected Map<String, AbstractServer> createServices(ServerSetup[] config, Managers managers) {
            Map<String, AbstractServer> services = new HashMap<>();
            for (ServerSetup setup : config) {
                services.put(setup.getProtocol(), new SmtpServer(setup, managers) {
                    @Override
                    protected ProtocolHandler createProtocolHandler(Socket socket) {
                        try {
                            socket.setTcpNoDelay(true);
                        }
                        catch (SocketException ex) {
                            throw new UncheckedIOException(ex);
                        }
                        return super.createProtocolHandler(socket);
                    }
                });
            }
            return services;
        }
    }
}
