package dev.flashsale.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One bash session, as a reader's terminal: commands run one after the other in the same shell, so a variable set by
 * one command is there for the next; standard error is shown with standard output, as on a terminal.
 */
final class Shell implements AutoCloseable {

    private static final String END = "__guide_command_ended__";

    /** What a command printed, and its exit status. */
    record Result(List<String> output, int status) {
    }

    private final Process bash;
    private final Writer input;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Shell(Path directory, Map<String, String> environment) {
        ProcessBuilder builder = new ProcessBuilder("bash", "--noprofile", "--norc").directory(directory.toFile())
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        try {
            bash = builder.start();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        input = bash.outputWriter(StandardCharsets.UTF_8);
        Thread reader = new Thread(() -> {
            try (BufferedReader output = new BufferedReader(new InputStreamReader(bash.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = output.readLine(); line != null; line = output.readLine()) {
                    lines.add(line);
                }
            }
            catch (IOException ex) {
                // the shell is gone: run() times out and says so
            }
        }, "guide-shell-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Runs a command (no standard input, as the guide's commands need none) and waits for it at most {@code timeout}. */
    Result run(String command, Duration timeout) throws IOException, InterruptedException {
        // The marker goes on a line of its own, after a newline, since a command's output need not end with one.
        input.write("{\n" + command + "\n} </dev/null 2>&1; printf '\\n" + END + " %d\\n' $?\n");
        input.flush();
        List<String> output = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String line = lines.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new IllegalStateException("No end after " + timeout.toSeconds() + " s of: " + command
                        + "\nOutput so far:\n" + String.join("\n", output));
            }
            if (line.startsWith(END + " ")) {
                // The newline before the marker closed a line of its own: the last line is empty, or the end of a
                // line the command left without one.
                String last = output.remove(output.size() - 1);
                if (!last.isEmpty()) {
                    output.add(last);
                }
                return new Result(output, Integer.parseInt(line.substring(END.length() + 1).strip()));
            }
            output.add(line);
        }
    }

    @Override
    public void close() {
        bash.destroy();
        try {
            if (!bash.waitFor(5, TimeUnit.SECONDS)) {
                bash.destroyForcibly();
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            bash.destroyForcibly();
        }
    }
}
