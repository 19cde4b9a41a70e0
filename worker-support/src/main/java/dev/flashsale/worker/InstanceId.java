package dev.flashsale.worker;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The name of this process among the processes of the same worker: host, process id and a short random part (two
 * containers can both be pid 1 on hosts of the same name). Shown in {@code GET /api/stats} and written where a process
 * leaves a trace in the shared database.
 *
 * @param value e.g. {@code worker-7f9c:1:3fa2c1}
 */
public record InstanceId(String value) {

    static InstanceId ofThisProcess() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            }
            catch (java.io.IOException ex) {
                host = "unknown-host";
            }
        }
        byte[] random = new byte[3];
        ThreadLocalRandom.current().nextBytes(random);
        return new InstanceId(host + ":" + ProcessHandle.current().pid() + ":" + HexFormat.of().formatHex(random));
    }

    @Override
    public String toString() {
        return value;
    }
}
