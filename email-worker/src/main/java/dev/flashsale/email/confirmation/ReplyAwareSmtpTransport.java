package dev.flashsale.email.confirmation;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.Properties;

import javax.net.SocketFactory;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.URLName;
import org.eclipse.angus.mail.smtp.SMTPTransport;

/**
 * An SMTP connection that tells the one failure SMTP cannot resolve from the others: a mail whose data went out in
 * full and whose reply never came back.
 *
 * <p>Every other failure leaves no doubt. Before the end of the data ({@code CRLF.CRLF}) the server has not taken the
 * mail, whatever went wrong; a reply of 4xx or 5xx to it says the server refused it. But when the connection drops,
 * or the wait runs out, after the data has gone and before the reply, the server may have queued the mail or not, and
 * SMTP has no way to ask. The worker then has to send it again (or risk losing it), and the receiver may hold two
 * copies, with the same {@code Message-ID} (RFC 1047 describes this very window). Such a send fails with
 * {@link UnansweredSendException}, so that it is counted and logged apart.
 *
 * <p>Two things keep the window small, where the protocol lets them:
 * <ul>
 * <li>The reply to the data gets a wait of its own, longer than a command's ({@code mail.smtp.timeout}): a server
 * spends its time on a mail after the data (storing it, scanning it), and RFC 5321 (4.5.3.2) asks clients to wait ten
 * minutes there for that reason. A slow reply waited for is one mail; a slow reply given up on is two.</li>
 * <li>A connection that has failed is never used again ({@link SmtpConnections} closes it): after a lost reply, the
 * next reply on that connection could be the late answer to the previous mail.</li>
 * </ul>
 */
final class ReplyAwareSmtpTransport extends SMTPTransport {

    private final SocketMemory sockets;
    private final int dataReplyTimeoutMillis;

    private ReplyAwareSmtpTransport(Session session, SocketMemory sockets, Duration dataReplyTimeout) {
        super(session, new URLName("smtp", null, -1, null, null, null), "smtp", false);
        this.sockets = sockets;
        this.dataReplyTimeoutMillis = Math.toIntExact(dataReplyTimeout.toMillis());
    }

    /** A connection (not yet connected) with the settings of {@code base}, on a socket of its own. */
    static ReplyAwareSmtpTransport open(Session base, Duration dataReplyTimeout) {
        SocketMemory sockets = new SocketMemory();
        Properties properties = new Properties();
        properties.putAll(base.getProperties());
        properties.put("mail.smtp.socketFactory", sockets);
        return new ReplyAwareSmtpTransport(Session.getInstance(properties), sockets, dataReplyTimeout);
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        Socket socket = sockets.socket();
        int commandTimeout = socket.getSoTimeout();
        socket.setSoTimeout(dataReplyTimeoutMillis);
        try {
            super.finishData();
        }
        catch (IOException | MessagingException | RuntimeException failure) {
            int reply = getLastReturnCode();
            if (reply >= 400 && reply < 600) {
                throw failure; // refused: the server said so, and kept nothing
            }
            throw new UnansweredSendException(failure);
        }
        finally {
            resetTimeout(socket, commandTimeout);
        }
    }

    private static void resetTimeout(Socket socket, int timeout) {
        try {
            socket.setSoTimeout(timeout);
        }
        catch (SocketException closed) {
            // The connection is gone already; it is closed for good by SmtpConnections.
        }
    }

    /**
     * The mail's data went out in full, and the server's reply never came: the connection dropped, or the reply took
     * longer than the wait. The server may have the mail.
     */
    static final class UnansweredSendException extends MessagingException {

        UnansweredSendException(Exception cause) {
            super("The mail's data was sent and no reply came back (" + cause.getMessage()
                    + "): the server may or may not have taken it", cause);
        }
    }

    /**
     * Makes the connection's one socket and keeps it, so that the transport can give the reply to its data a longer
     * wait. No Nagle's algorithm either: a command or the data's last bytes go out at once, not after the server's
     * delayed acknowledgement of the previous segment.
     */
    private static final class SocketMemory extends SocketFactory {

        private volatile Socket socket;

        Socket socket() {
            return socket;
        }

        @Override
        public Socket createSocket() throws SocketException {
            Socket created = new Socket();
            created.setTcpNoDelay(true);
            socket = created;
            return created;
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            Socket created = createSocket();
            created.connect(new InetSocketAddress(host, port));
            return created;
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            Socket created = createSocket();
            created.bind(new InetSocketAddress(localHost, localPort));
            created.connect(new InetSocketAddress(host, port));
            return created;
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            Socket created = createSocket();
            created.connect(new InetSocketAddress(host, port));
            return created;
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            Socket created = createSocket();
            created.bind(new InetSocketAddress(localAddress, localPort));
            created.connect(new InetSocketAddress(address, port));
            return created;
        }
    }
}
