package dev.flashsale.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 that a test can cut and restore, to make a server unreachable for real.
 *
 * <p>The application under test connects to the proxy instead of the server. {@link #cut()} closes
 * every open connection and the listening socket, so the application sees its connections drop
 * and new ones refused, exactly as if the server had gone away, while the server itself (shared
 * with other tests and perhaps with a running system) is never touched. {@link #restore()} listens
 * again on the same port.
 *
 * <p>It can also strike at one exact moment of a protocol, by watching the bytes: {@link #loseNextReplyTo} lets a
 * request through and drops the connection when the server's reply comes back, so the server has done the work and
 * the client never hears of it (the ambiguous failure that no timeout can tell apart from a lost request), and
 * {@link #delayNextReplyTo} holds that reply back for a while (a slow server).
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Interception> armed = new AtomicReference<>();
    private volatile ServerSocket server;
    private volatile int port;

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        listen(0);
    }

    public int port() {
        return port;
    }

    /** Drops every connection through the proxy and refuses new ones until {@link #restore()}. */
    public synchronized void cut() {
        closeQuietly(server);
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
    }

    /** Accepts connections again, on the same port as before. */
    public synchronized void restore() {
        if (server.isClosed()) {
            listen(port);
        }
    }

    /**
     * The next time a client sends bytes ending with {@code requestEnd} (e.g. SMTP's end of mail data,
     * {@code CRLF.CRLF}), they reach the server whole; when the server's reply comes back, the proxy drops that
     * connection instead of passing the reply on. Once only; other connections are untouched.
     */
    public Interception loseNextReplyTo(byte[] requestEnd) {
        return arm(new Interception(requestEnd, null));
    }

    /** As {@link #loseNextReplyTo}, but the reply is passed on after {@code delay} instead of lost. */
    public Interception delayNextReplyTo(byte[] requestEnd, Duration delay) {
        return arm(new Interception(requestEnd, delay));
    }

    @Override
    public void close() {
        cut();
    }

    private Interception arm(Interception interception) {
        if (!armed.compareAndSet(null, interception)) {
            throw new IllegalStateException("An interception is armed already");
        }
        return interception;
    }

    /** One armed strike at a server's reply: what it waits for, and whether it has happened. */
    public static final class Interception {

        private final byte[] requestEnd;
        private final Duration delay;
        private final CountDownLatch struck = new CountDownLatch(1);

        private Interception(byte[] requestEnd, Duration delay) {
            this.requestEnd = requestEnd.clone();
            this.delay = delay;
        }

        /** Waits until the reply was lost (or passed on after its delay); false if that did not happen in time. */
        public boolean awaitStruck(Duration timeout) throws InterruptedException {
            return struck.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public boolean struck() {
            return struck.getCount() == 0;
        }
    }

    /** A client's connection and its upstream twin, with what is to happen to the next reply on it. */
    private final class Connection {

        private final Socket client;
        private final Socket upstream;
        private final byte[] tail = new byte[64];
        private int tailLength;
        private volatile Interception pending;

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        /** Client to server: forwards everything, and notices when an armed request has been sent in full. */
        void requests() {
            pump(client, upstream, (buffer, length) -> {
                remember(buffer, length);
                Interception interception = armed.get();
                if (interception != null && endsWith(interception.requestEnd)
                        && armed.compareAndSet(interception, null)) {
                    // Before the bytes go on: the server cannot answer before the proxy knows what to do with it.
                    pending = interception;
                }
                return true;
            });
        }

        /** Server to client: forwards everything, unless a reply is to be lost or held back. */
        void replies() {
            pump(upstream, client, (buffer, length) -> {
                Interception interception = pending;
                if (interception == null) {
                    return true;
                }
                pending = null;
                if (interception.delay == null) {
                    interception.struck.countDown();
                    return false;
                }
                try {
                    Thread.sleep(interception.delay.toMillis());
                }
                catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                }
                interception.struck.countDown();
                return true;
            });
        }

        /** Keeps the last bytes sent, so that a request end split over two reads is still seen. */
        private void remember(byte[] buffer, int length) {
            int keep = Math.min(length, tail.length);
            if (keep == tail.length) {
                tailLength = 0;
            }
            else if (tailLength + keep > tail.length) {
                int drop = tailLength + keep - tail.length;
                System.arraycopy(tail, drop, tail, 0, tailLength - drop);
                tailLength -= drop;
            }
            System.arraycopy(buffer, length - keep, tail, tailLength, keep);
            tailLength += keep;
        }

        private boolean endsWith(byte[] end) {
            return tailLength >= end.length
                    && Arrays.equals(tail, tailLength - end.length, tailLength, end, 0, end.length);
        }
    }

    /** Decides about bytes read before they are forwarded: true to forward them, false to drop the connection. */
    @FunctionalInterface
    private interface Gate {
        boolean pass(byte[] buffer, int length);
    }

    private void listen(int requestedPort) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), requestedPort));
            server = socket;
            port = socket.getLocalPort();
            daemon("tcp-proxy-accept-" + port, () -> accept(socket));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot listen on port " + requestedPort, ex);
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                // Bytes go on as they come, as they would without the proxy in between.
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                sockets.add(client);
                sockets.add(upstream);
                Connection connection = new Connection(client, upstream);
                daemon("tcp-proxy-requests", connection::requests);
                daemon("tcp-proxy-replies", connection::replies);
            }
            catch (IOException ex) {
                // The listening socket was closed by cut(), or the target refused: nothing to pump.
            }
        }
    }

    private void pump(Socket from, Socket to, Gate gate) {
        byte[] buffer = new byte[8192];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            for (int read; (read = in.read(buffer)) >= 0; ) {
                if (!gate.pass(buffer, read)) {
                    return;
                }
                out.write(buffer, 0, read);
                out.flush();
            }
        }
        catch (IOException ex) {
            // One side closed: close the other below, like a real broken connection.
        }
        finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            if (closeable != null) {
                closeable.close();
            }
        }
        catch (Exception ex) {
            // Already closed.
        }
    }
}
