package dev.flashsale.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * How many connection attempts the kernel dropped because a listening socket's accept queue was full
 * ({@code TcpExtListenOverflows} in {@code /proc/net/netstat}, for every listener on the machine). Each one costs its
 * client the TCP retransmission timeout, 1 s, before it can send anything: in a flash sale that is the tail of the
 * checkout's latency, not the checkout's work. The report gives the count per stream so that such a tail is explained
 * where it is seen.
 */
final class ListenQueue {

    private static final Path NETSTAT = Path.of("/proc/net/netstat");

    private ListenQueue() {
    }

    /** Dropped since the machine started; -1 where the kernel does not say (not Linux). */
    static long overflows() {
        try {
            List<String> lines = Files.readAllLines(NETSTAT);
            // Pairs of lines: "TcpExt: <names>" then "TcpExt: <values>".
            for (int i = 0; i + 1 < lines.size(); i += 2) {
                if (lines.get(i).startsWith("TcpExt:")) {
                    List<String> names = Arrays.asList(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    int index = names.indexOf("ListenOverflows");
                    return index < 0 ? -1 : Long.parseLong(values[index]);
                }
            }
            return -1;
        }
        catch (IOException | RuntimeException ex) {
            return -1;
        }
    }

    /** The drops between two readings, -1 if either is unknown. */
    static long between(long before, long after) {
        return before < 0 || after < 0 ? -1 : after - before;
    }
}
