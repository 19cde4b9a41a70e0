package dev.flashsale.labs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.flashsale.labs.DeliveryLab.Mode;

/**
 * A {@link DeliveryConsumer} in a child JVM, and what it reported on its standard output. The parent never opens
 * the database while a child runs: H2's file database is for one process at a time.
 */
final class ConsumerProcess implements AutoCloseable {

    private static final int NEVER = 0;

    private final Process process;
    private final int killAfter;
    private final Thread reader;
    private final List<String> otherOutput = new ArrayList<>();
    // Written by the reader thread, read after it has ended (join).
    private int applied;
    private int received;
    private int redelivered;
    private int skipped;
    private boolean killed;

    private ConsumerProcess(Process process, int killAfter) {
        this.process = process;
        this.killAfter = killAfter;
        this.reader = new Thread(this::read, "delivery consumer output");
        this.reader.start();
    }

    /** A consumer that halts once it has applied {@code killAfter} orders, and is killed when it reports so. */
    static ConsumerProcess killedAfter(int killAfter, Mode mode, String queue, String database) throws IOException {
        return new ConsumerProcess(new ProcessBuilder(javaCommand(mode.label, queue, database, String.valueOf(killAfter)))
                .redirectErrorStream(true).start(), killAfter);
    }

    /** A consumer that runs until the queue has been idle for a while. */
    static ConsumerProcess toTheEnd(Mode mode, String queue, String database) throws IOException {
        return new ConsumerProcess(new ProcessBuilder(javaCommand(mode.label, queue, database))
                .redirectErrorStream(true).start(), NEVER);
    }

    /** The same JVM and classes as this one, with the consumer as main class. */
    private static List<String> javaCommand(String... arguments) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived helper on a busy machine: start fast, one GC thread
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path")));
        if (DeliveryLab.class.getClassLoader() == ClassLoader.getSystemClassLoader()) {
            command.add(DeliveryConsumer.class.getName()); // run from classes (an IDE): the same class path
        }
        else {
            // Run from the executable jar, whose classes and libraries are jars within the jar: only Spring Boot's
            // launcher can load them, and its PropertiesLauncher takes another main class than the manifest's.
            command.add("-Dloader.main=" + DeliveryConsumer.class.getName());
            command.add("org.springframework.boot.loader.launch.PropertiesLauncher");
        }
        command.addAll(List.of(arguments));
        return command;
    }

    /** Waits until the consumer has been killed or has finished, and fails unless it ended as it was meant to. */
    void awaitEnd(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The consumer did not " + (killAfter == NEVER ? "finish" : "apply "
                    + killAfter + " orders") + " in " + timeoutSeconds + " s");
        }
        reader.join();
        boolean endedAsMeant = killAfter == NEVER ? process.exitValue() == 0 : killed;
        if (!endedAsMeant) {
            throw new IllegalStateException("The consumer ended (exit status " + process.exitValue()
                    + ") after applying " + applied + " orders:\n" + String.join("\n", otherOutput));
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("applied ")) {
                    applied++;
                }
                else if (line.startsWith("skipped ")) {
                    skipped++;
                }
                else {
                    otherOutput.add(line);
                    continue;
                }
                received++;
                redelivered += line.endsWith(" redelivered") ? 1 : 0;
                if (killAfter != NEVER && applied == killAfter) {
                    // SIGKILL: no shutdown hook, no channel close, no last ack; the broker learns it from the
                    // closed socket. The consumer has halted after this order, so the kill finds it there.
                    process.destroyForcibly();
                    killed = true;
                }
            }
        }
        catch (IOException ex) {
            if (!killed) { // when killed, the stream is closed under the reader's feet
                otherOutput.add(ex.toString());
            }
        }
    }

    int received() {
        return received;
    }

    int redelivered() {
        return redelivered;
    }

    int skipped() {
        return skipped;
    }

    @Override
    public void close() throws InterruptedException {
        // Never leave a consumer behind, whatever went wrong.
        process.destroyForcibly().waitFor();
    }
}
