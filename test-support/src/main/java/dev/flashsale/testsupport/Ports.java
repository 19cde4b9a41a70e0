package dev.flashsale.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** Whether something listens on a TCP port: the tests ask before they use a broker or a port of their own. */
public final class Ports {

    private Ports() {
    }

    /** True if a connection to {@code host:port} is accepted within a second. */
    public static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1000);
            return true;
        }
        catch (IOException ex) {
            return false;
        }
    }
}
