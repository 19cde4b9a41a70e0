package dev.flashsale.labs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.flashsale.labs.DeliveryLab.Mode;

/**
 * A {@link DeliveryConsumer} in a child JVM, and what it reported on its standard output. The parent never opens
 * the database while a child runs: H2's file database is for one process at a time.
 */
final class ConsumerProcess implements AutoCloseable {

    /** Where a halting consumer stopped: the order it was at, and how many deliveries the broker had sent it. */
    record Halt(int orderNo, int delivered) {
    }

    private final Process process;
    private final Thread reader;
    private final CountDownLatch haltedOrEnded = new CountDownLatch(1);
    private final List<String> otherOutput = new ArrayList<>();
    // Written by the reader thread; read once it has counted down the latch (halted) or ended (join).
    private int applied;
    private int received;
    private int redelivered;
    private int skipped;
    private Halt halt;
    private volatile boolean killed;

    private ConsumerProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::read, "delivery consumer output");
        this.reader.start();
    }

    /**
     * A consumer that halts at its {@code haltAt}-th order (after applying it, or between its two commits where the
     * mode has two), and waits there to be {@link #kill() killed}.
     */
    static ConsumerProcess haltingAt(int haltAt, Mode mode, String queue, String database) throws IOException {
        return new ConsumerProcess(new ProcessBuilder(javaCommand(mode.label, queue, database, String.valueOf(haltAt)))
                .redirectErrorStream(true).start());
    }

    /** A consumer that runs until the queue has been idle for a while. */
    static ConsumerProcess toTheEnd(Mode mode, String queue, String database) throws IOException {
        return new ConsumerProcess(new ProcessBuilder(javaCommand(mode.label, queue, database))
                .redirectErrorStream(true).start());
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

    /** Waits until the consumer has halted, and says where; fails if it ended or did not get there in time. */
    Halt awaitHalt(long timeoutSeconds) throws InterruptedException {
        if (!haltedOrEnded.await(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The consumer did not get to where it halts in " + timeoutSeconds + " s");
        }
        if (halt == null) {
            reader.join();
            throw new IllegalStateException("The consumer ended (exit status " + process.waitFor() + ") after applying "
                    + applied + " orders, before it halted:\n" + String.join("\n", otherOutput));
        }
        return halt;
    }

    /**
     * SIGKILL: no shutdown hook, no channel close, no last ack; the broker learns it from the closed socket. The
     * consumer has halted, so the kill finds it where it said it was.
     */
    void kill() throws InterruptedException {
        killed = true;
        process.destroyForcibly().waitFor();
        reader.join();
    }

    /** Waits until a consumer that runs to the end has finished, and fails unless it finished well. */
    void awaitEnd(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The consumer did not finish in " + timeoutSeconds + " s");
        }
        reader.join();
        if (process.exitValue() != 0) {
            throw new IllegalStateException("The consumer ended (exit status " + process.exitValue()
                    + ") after applying " + applied + " orders:\n" + String.join("\n", otherOutput));
        }
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                String[] words = line.split(" ");
                switch (words[0]) {
                    case "applied" -> applied++;
                    case "skipped" -> skipped++;
                    case "halted" -> {
                        halt = new Halt(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                        haltedOrEnded.countDown();
                        continue;
                    }
                    default -> {
                        otherOutput.add(line);
                        continue;
                    }
                }
                received++;
                redelivered += line.endsWith(" redelivered") ? 1 : 0;
            }
        }
        catch (IOException ex) {
            if (!killed) { // when killed, the stream is closed under the reader's feet
                otherOutput.add(ex.toString());
            }
        }
        finally {
            haltedOrEnded.countDown();
        }
    }

    /** Orders applied so far (read once the consumer has halted or ended). */
    int applied() {
        return applied;
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
