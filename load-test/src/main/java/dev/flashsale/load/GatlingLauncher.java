package dev.flashsale.load;

import java.nio.file.Path;
import java.util.List;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.joran.spi.JoranException;
import io.gatling.app.Gatling$;
import org.slf4j.LoggerFactory;

/** Runs a {@link CheckoutSimulation} in this JVM and leaves Gatling's own HTML report in a folder. */
final class GatlingLauncher {

    private GatlingLauncher() {
    }

    /**
     * Sends one stream of checkouts and waits until its last answer has come (or timed out).
     *
     * @param baseUrls the checkout's instances: each arriving user goes to the next in turn
     * @return the requests and their answers
     */
    static RequestLog run(LoadStream stream, List<String> baseUrls, Path resultsFolder) {
        RequestLog log = new RequestLog();
        CheckoutSimulation.prepare(stream, baseUrls, log);
        int code = Gatling$.MODULE$.fromArgs(new String[] {
                "-s", CheckoutSimulation.class.getName(),
                "-rf", resultsFolder.toAbsolutePath().toString(),
                "-rd", stream.name() });
        restartLogging();
        // Gatling answers 0, or 2 when a check failed (a request refused, a timeout): those are in the log and
        // counted by the benchmark. Anything else means it could not run at all.
        if (code != 0 && code != 2) {
            throw new IllegalStateException("Gatling could not run stream " + stream.name() + " (exit code " + code + ")");
        }
        return log;
    }

    /**
     * Gatling stops logback at the end of every run (to flush its own logs as a command-line tool would): from the
     * second stream on, the benchmark's progress and its exactly-once results were no longer printed. This starts
     * logging again, from the same {@code logback.xml}.
     */
    private static void restartLogging() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context && !context.isStarted()) {
            context.reset();
            try {
                new ContextInitializer(context).autoConfig();
            }
            catch (JoranException ex) {
                throw new IllegalStateException("Cannot configure logging again after Gatling's run", ex);
            }
            context.start();
        }
    }
}
