package dev.flashsale.events;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The name of one process among the processes of the same service: host, process id and a short random part (two
 * containers can both be pid 1 on hosts of the same name, and a restarted process must be a new instance). Each
 * service writes it where a process leaves a trace in its shared database: the order-service's outbox claims
 * ({@code outbox.claimed_by}), a worker's registry ({@code worker_instance}). It lives here, beside the events, because
 * it is the one thing every service's processes name themselves by.
 *
 * @param value e.g. {@code worker-7f9c:1:3fa2c1}, at most {@link #MAX_LENGTH} characters
 */
public record InstanceId(String value) {

    /** The width of the columns that hold an instance id. */
    public static final int MAX_LENGTH = 100;

    public static InstanceId ofThisProcess() {
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        String suffix = ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(random);
        String host = host();
        return new InstanceId(host.substring(0, Math.min(host.length(), MAX_LENGTH - suffix.length())) + suffix);
    }

    private static String host() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (UnknownHostException ex) {
            return "unknown-host";
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
