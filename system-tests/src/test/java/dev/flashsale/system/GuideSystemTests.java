package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.flashsale.testsupport.Ports;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teaching guide, run as a reader runs it: every command of {@code docs/guide.md}, in order, in one shell, from
 * the repository's root, and its output compared with what the guide shows (see {@link GuideTranscript}). The system
 * is the one {@code scripts/flashsale.sh start} starts (the guide's first command), on its usual ports.
 *
 * <p>Two things differ from a reader's terminal, both through the scripts' own settings: the system gets a fresh
 * virtual host ({@code RABBIT_VHOST}) and a fresh data directory ({@code DATA_DIR}), so that the figures the guide
 * shows do not depend on what ran before.
 */
class GuideSystemTests {

    private static final Logger log = LoggerFactory.getLogger(GuideSystemTests.class);

    /**
     * The services' ports, and the SMTP catcher's (1025) and its API's (8025): a mail server already there would be
     * used instead of a fresh GreenMail, and the mails the guide counts would not be the guide's alone.
     */
    private static final List<Integer> SYSTEM_PORTS = List.of(8080, 8081, 8082, 8083, 1025, 8025);

    private static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(2);

    /** Building the jars when they are missing, then starting four JVMs on a busy machine. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(6);

    @Test
    void everyCommandOfTheGuidePrintsWhatTheGuideShows() throws Exception {
        Path repository = EndToEndSystemTests.repository().toAbsolutePath().normalize();
        String guide = Files.readString(repository.resolve("docs/guide.md"));
        assertThat(Files.readString(repository.resolve("README.md"))).as("the README links to the guide").contains("(docs/guide.md)");
        GuideTranscript transcript = GuideTranscript.parse(guide);
        assertThat(transcript.steps()).as("commands in the guide").hasSizeGreaterThan(20);
        assertThat(transcript.steps().get(0).command()).as("the guide's first command").isEqualTo("scripts/flashsale.sh start");
        for (int port : SYSTEM_PORTS) {
            if (Ports.answers("127.0.0.1", port)) {
                fail("Port " + port + " is taken: the guide's commands run the system on ports 8080-8083 and its SMTP catcher "
                        + "on 1025 and 8025. Stop what runs there (scripts/flashsale.sh stop, if it is the system) and run the tests again.");
            }
        }

        TestBroker broker = TestBroker.get();
        Path data = Files.createTempDirectory("flashsale-guide-");
        Map<String, String> environment = Map.of(
                "RABBIT_HOST", broker.host(), "RABBIT_PORT", String.valueOf(broker.port()),
                "RABBIT_USER", broker.username(), "RABBIT_PASSWORD", broker.password(),
                "RABBIT_VHOST", broker.newVirtualHost("guide"),
                "DATA_DIR", data.toString());
        try (Shell shell = new Shell(repository, environment)) {
            shell.run("set -o pipefail", COMMAND_TIMEOUT);
            for (GuideTranscript.Step step : transcript.steps()) {
                long started = System.nanoTime();
                boolean first = step == transcript.steps().get(0);
                Shell.Result result = shell.run(step.command(), first ? START_TIMEOUT : COMMAND_TIMEOUT);
                log.info("docs/guide.md:{} ({} ms) $ {}", step.line(), (System.nanoTime() - started) / 1_000_000, step.command());
                if (result.status() != 0 || !GuideTranscript.matches(step.expected(), result.output())) {
                    fail("""
                            docs/guide.md line %d: $ %s
                            exit status %d
                            the guide shows:
                            %s
                            it printed:
                            %s
                            (the services' logs are in %s)"""
                            .formatted(step.line(), step.command(), result.status(), String.join("\n", step.expected()),
                                    String.join("\n", result.output()), data.resolve("logs")));
                }
            }
        }
        finally {
            // In a shell of its own: the guide's may still be busy with a command that did not end.
            try (Shell cleanup = new Shell(repository, environment)) {
                log.info("scripts/flashsale.sh stop: {}", cleanup.run("scripts/flashsale.sh stop", COMMAND_TIMEOUT).output());
            }
        }
    }
}
