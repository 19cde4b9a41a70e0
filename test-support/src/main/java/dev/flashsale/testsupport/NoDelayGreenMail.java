package dev.flashsale.testsupport;

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

/**
 * GreenMail (an SMTP server in the test's JVM) whose connections answer without Nagle's algorithm, as SMTP servers
 * built for traffic do (Postfix, Mailpit set {@code TCP_NODELAY}).
 *
 * <p>Profiled with JFR in the benchmark, the email worker waited about 43 ms for each of plain GreenMail's replies
 * (MAIL FROM, RCPT TO, DATA): some 130 ms a mail, a ceiling of about 15 mails a second per connection, set by the test's
 * SMTP server rather than by the system. The reply sat in GreenMail's socket until the worker's delayed acknowledgement
 * (about 40 ms on Linux) let it go.
 */
public class NoDelayGreenMail extends GreenMail {

    public NoDelayGreenMail(ServerSetup setup) {
        super(setup);
    }

    /** An SMTP server on 127.0.0.1, on a free port, started. */
    public static NoDelayGreenMail startOnFreePort() {
        NoDelayGreenMail server = new NoDelayGreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        server.start();
        return server;
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
