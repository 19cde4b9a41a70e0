package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service running as its own operating-system process, from its jar (extracted, with a {@link ClassDataArchive}
 * of its classes when there is one): started, stopped gracefully
 * (SIGTERM), killed (SIGKILL) and started again, as a test needs.
 */
public final class ServiceProcess {

    private static final Logger log = LoggerFactory.getLogger(ServiceProcess.class);

    private final Service service;
    private final ClassDataArchive classData;
    private final int port;
    private final Path javaHome;
    private final int niceness;
    private final List<String> jvmOptions;
    private final List<String> arguments;
    private final Map<String, String> environment;
    private final Path logFile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private Path pendingClassData;

    ServiceProcess(Service service, Path jar, int port, Path javaHome, int niceness, List<String> jvmOptions, List<String> arguments,
            Map<String, String> environment, Path logFile) {
        this.service = service;
        this.classData = ClassDataArchive.of(jar, javaHome);
        this.port = port;
        this.javaHome = javaHome;
        this.niceness = niceness;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.arguments = List.copyOf(arguments);
        this.environment = Map.copyOf(environment);
        this.logFile = logFile;
    }

    /** The module and its port, e.g. {@code order-service:41234}: which of a service's instances this is. */
    @Override
    public String toString() {
        return service.module() + ":" + port;
    }

    public Service service() {
        return service;
    }

    public int port() {
        return port;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** The operating system's id of the running process, for what watches it from outside (CPU time). */
    public synchronized long pid() {
        if (process == null) {
            throw new IllegalStateException(service.module() + " was never started");
        }
        return process.pid();
    }

    public Path logFile() {
        return logFile;
    }

    /** Starts the process; its output goes to {@link #logFile()} (appended, so restarts stay readable). */
    public synchronized void start() {
        if (isAlive()) {
            throw new IllegalStateException(service.module() + " already runs");
        }
        List<String> command = new ArrayList<>();
        if (niceness != 0) {
            command.addAll(List.of("nice", "-n", String.valueOf(niceness))); // nice execs the JVM: the pid stays the JVM's
        }
        command.add(javaHome.resolve("bin").resolve("java").toString());
        command.addAll(jvmOptions);
        pendingClassData = classData.pending();
        command.addAll(classData.launch(pendingClassData));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot start " + service.module(), ex);
        }
        log.info("Started {} (pid {}) on port {}, log {}", service.module(), process.pid(), port, logFile);
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Stops the process as an operator would (SIGTERM, graceful shutdown), killing it if it takes too long. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        boolean exited = false;
        try {
            exited = process.waitFor(30, TimeUnit.SECONDS);
            if (!exited) {
                log.warn("{} did not stop within 30 s: killing it", service.module());
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        // An archive is whole only when its JVM exited by itself: one killed while writing it leaves a part.
        if (exited) {
            classData.keep(pendingClassData);
        }
        else {
            classData.discard(pendingClassData);
        }
        log.info("Stopped {}", service.module());
    }

    /** Kills the process at once (SIGKILL): no shutdown hook runs, nothing is acknowledged or committed any more. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        classData.discard(pendingClassData);
        log.info("Killed {} (SIGKILL)", service.module());
    }

    /**
     * Writes what every thread of the process is doing ({@code jcmd <pid> Thread.print}) beside its log, for a test that
     * finds it stuck; returns that file.
     */
    public synchronized Path threadDump() {
        Path dump = logFile.resolveSibling(service.module() + "-threads-" + System.currentTimeMillis() + ".txt");
        if (!isAlive()) {
            return dump;
        }
        try {
            Process jcmd = new ProcessBuilder(javaHome.resolve("bin").resolve("jcmd").toString(),
                    String.valueOf(process.pid()), "Thread.print").redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            jcmd.waitFor(30, TimeUnit.SECONDS);
        }
        catch (IOException ex) {
            log.warn("No thread dump of {}: {}", service.module(), ex.toString());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
        }
        return dump;
    }

    /** Whether {@code /actuator/health} answers UP. */
    public boolean isHealthy() {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(baseUri().resolve("/actuator/health"))
                    .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"UP\"");
        }
        catch (IOException ex) {
            return false;
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Waits until the service is healthy; fails with the end of its log if it dies or takes too long. */
    public void awaitHealthy(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (!isHealthy()) {
            if (!isAlive()) {
                throw new IllegalStateException(service.module() + " exited while starting:\n" + tail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(service.module() + " is not healthy after " + timeout + ":\n" + tail());
            }
            try {
                Thread.sleep(250);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted while waiting for " + service.module(), ex);
            }
        }
    }

    /** The last lines of the log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        }
        catch (IOException ex) {
            return "(no log: " + ex.getMessage() + ")";
        }
    }
}
