package dev.flashsale.system;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The commands of a Markdown guide, each with the output the guide shows for it, and the check that a real run printed
 * that output.
 *
 * <p>The commands are the lines starting with {@code $ } in the guide's {@code console} code blocks (a line ending in
 * a backslash goes on with the next one); the lines after a command, up to the next command or the end of the block,
 * are its output. In the output, {@code …} stands for any text within a line, and a line of {@code …} alone for any
 * number of lines, none included: the guide shows what is always the same and elides what varies (ids, timings).
 */
record GuideTranscript(List<Step> steps) {

    private static final String ANY = "…";

    /** A command, the output the guide shows for it, and the guide's line the command starts on. */
    record Step(int line, String command, List<String> expected) {
    }

    static GuideTranscript parse(String markdown) {
        List<Step> steps = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        boolean inConsole = false;
        StringBuilder command = null;
        int commandLine = 0;
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (!inConsole) {
                inConsole = line.strip().equals("```console");
                continue;
            }
            if (line.strip().equals("```")) {
                if (command != null) {
                    steps.add(new Step(commandLine, command.toString(), List.copyOf(expected)));
                }
                inConsole = false;
                command = null;
                continue;
            }
            if (line.startsWith("$ ")) {
                if (command != null) {
                    steps.add(new Step(commandLine, command.toString(), List.copyOf(expected)));
                }
                command = new StringBuilder(line.substring(2));
                commandLine = i + 1;
                expected.clear();
                while (command.toString().endsWith("\\") && i + 1 < lines.length) {
                    command.append('\n').append(lines[++i]);
                }
                continue;
            }
            if (command == null) {
                throw new IllegalArgumentException("Line " + (i + 1) + ": output before any command in a console block");
            }
            expected.add(line);
        }
        if (inConsole) {
            throw new IllegalArgumentException("A console block is not closed");
        }
        return new GuideTranscript(List.copyOf(steps));
    }

    /** True if the output matches the expected lines (trailing spaces ignored, {@code …} as described above). */
    static boolean matches(List<String> expected, List<String> actual) {
        return matches(expected, 0, actual.stream().map(String::stripTrailing).toList(), 0);
    }

    private static boolean matches(List<String> expected, int e, List<String> actual, int a) {
        if (e == expected.size()) {
            return a == actual.size();
        }
        String pattern = expected.get(e).stripTrailing();
        if (pattern.strip().equals(ANY)) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matches(expected, e + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && lineMatches(pattern, actual.get(a)) && matches(expected, e + 1, actual, a + 1);
    }

    private static boolean lineMatches(String pattern, String line) {
        StringBuilder regex = new StringBuilder();
        for (String part : pattern.split(Pattern.quote(ANY), -1)) {
            if (!regex.isEmpty()) {
                regex.append(".*");
            }
            regex.append(Pattern.quote(part));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL).matcher(line).matches();
    }
}
