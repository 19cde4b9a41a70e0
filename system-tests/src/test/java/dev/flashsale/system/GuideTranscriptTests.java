package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;

import org.junit.jupiter.api.Test;

class GuideTranscriptTests {

    @Test
    void takesTheCommandsOfConsoleBlocksOnlyEachWithTheLinesAfterIt() {
        GuideTranscript transcript = GuideTranscript.parse("""
                Intro.

                ```bash
                $ not run: a bash block
                ```

                ```console
                $ echo one
                one
                $ curl -s localhost:8080 \\
                    -d x
                {"a":…}
                ```
                """);

        assertThat(transcript.steps()).containsExactly(
                new GuideTranscript.Step(8, "echo one", List.of("one")),
                new GuideTranscript.Step(10, "curl -s localhost:8080 \\\n    -d x", List.of("{\"a\":…}")));
    }

    @Test
    void anEllipsisStandsForAnyTextInALineAndALineOfItForAnyNumberOfLines() {
        assertThat(GuideTranscript.matches(List.of("202 …s"), List.of("202 0.004s"))).isTrue();
        assertThat(GuideTranscript.matches(List.of("202 …s"), List.of("201 1.2s"))).isFalse();
        assertThat(GuideTranscript.matches(List.of("start", "…", "end"), List.of("start", "end"))).isTrue();
        assertThat(GuideTranscript.matches(List.of("start", "…", "end"), List.of("start", "a", "b", "end"))).isTrue();
        assertThat(GuideTranscript.matches(List.of("start", "…", "end"), List.of("start", "a"))).isFalse();
        assertThat(GuideTranscript.matches(List.of("a"), List.of("a", "b"))).as("every line printed is shown").isFalse();
        assertThat(GuideTranscript.matches(List.of("(x) [y]"), List.of("(x) [y]   "))).as("no regex, trailing spaces").isTrue();
        assertThat(GuideTranscript.matches(List.of(), List.of())).isTrue();
    }

    @Test
    void refusesABlockThatIsNotClosedOrOutputBeforeAnyCommand() {
        assertThatIllegalArgumentException().isThrownBy(() -> GuideTranscript.parse("```console\n$ echo\n"));
        assertThatIllegalArgumentException().isThrownBy(() -> GuideTranscript.parse("```console\noutput\n```\n"));
    }
}
