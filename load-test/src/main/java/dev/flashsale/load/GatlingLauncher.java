package dev.flashsale.load;

import java.nio.file.Path;

import io.gatling.app.Gatling$;

/** Runs a {@link CheckoutSimulation} in this JVM and leaves Gatling's own HTML report in a folder. */
final class GatlingLauncher {

    private GatlingLauncher() {
    }

    /**
     * Sends one stream of checkouts and waits until its last answer has come (or timed out).
     *
     * @return the requests and their answers
     */
    static RequestLog run(LoadStream stream, String baseUrl, Path resultsFolder) {
        RequestLog log = new RequestLog();
        CheckoutSimulation.prepare(stream, baseUrl, log);
        int code = Gatling$.MODULE$.fromArgs(new String[] {
                "-s", CheckoutSimulation.class.getName(),
                "-rf", resultsFolder.toAbsolutePath().toString(),
                "-rd", stream.name() });
        // Gatling answers 0, or 2 when a check failed (a request refused, a timeout): those are in the log and
        // counted by the benchmark. Anything else means it could not run at all.
        if (code != 0 && code != 2) {
            throw new IllegalStateException("Gatling could not run stream " + stream.name() + " (exit code " + code + ")");
        }
        return log;
    }
}
