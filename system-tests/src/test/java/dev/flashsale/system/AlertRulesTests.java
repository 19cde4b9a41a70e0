package dev.flashsale.system;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The alert rules ({@code docker/prometheus/alerts.yml}) as Prometheus's own tool reads them: valid, and passing their
 * unit tests ({@code alerts-test.yml}), where each rule fires when it should and not when it should not. No system
 * runs: {@link ObservabilitySystemTests} watches a real Prometheus fire one on the running system.
 */
class AlertRulesTests {

    static final Path PROMETHEUS_DIRECTORY = EndToEndSystemTests.repository().resolve("docker").resolve("prometheus");

    @Test
    void theRulesAreValid() throws Exception {
        Run check = promtool("check", "rules", PROMETHEUS_DIRECTORY.resolve("alerts.yml").toString());

        assertThat(check.status()).as("promtool check rules said:%n%s", check.output()).isZero();
    }

    @Test
    void theRulesPassTheirUnitTests() throws Exception {
        Run test = promtool("test", "rules", PROMETHEUS_DIRECTORY.resolve("alerts-test.yml").toString());

        assertThat(test.status()).as("promtool test rules said:%n%s", test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS");
    }

    record Run(int status, String output) {
    }

    /** Runs promtool with the arguments, and answers its exit status with everything it printed. */
    static Run promtool(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(executable("promtool").toString());
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        // Its output is a few lines: read to the end (the process's exit), then wait for the status.
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("promtool %s did not end within 60 s:%n%s", String.join(" ", arguments), output);
        }
        return new Run(process.exitValue(), output);
    }

    /** A Prometheus tool on the PATH; fails saying how to get it when there is none. */
    static Path executable(String name) {
        for (String directory : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(directory).resolve(name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("""
                No %s on the PATH. scripts/test.sh (the test command, which CI runs) installs it with Prometheus: \
                Debian's package prometheus (sudo apt-get install prometheus).""", name);
    }
}
