package dev.flashsale.labs;

import java.util.ArrayList;
import java.util.List;

/**
 * What a lab prints, told from its findings once the measuring is over: lines of narration, and verdict lines
 * ({@code => ...}) that state the lesson when the lab saw it happen, and otherwise what it saw instead.
 *
 * <p>A report that missed a lesson fails once printed, so that the guide's test fails rather than teach something the
 * broker did not do. Every verdict is printed first, the ones that held too: a reader sees all that the run showed.
 */
final class Report {

    private final List<String> lines = new ArrayList<>();
    private final List<String> missed = new ArrayList<>();

    Report line(String line) {
        lines.add(line);
        return this;
    }

    Report line(String format, Object... arguments) {
        return line(format.formatted(arguments));
    }

    Report verdict(boolean observed, String lesson, String otherwise) {
        lines.add("=> " + (observed ? lesson : otherwise));
        if (!observed) {
            missed.add(otherwise);
        }
        return this;
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    /** Whether every verdict saw its lesson. */
    boolean shown() {
        return missed.isEmpty();
    }

    /** Prints the lines; then fails if a verdict missed its lesson. */
    void print() {
        printLines();
        failIfMissed(missed);
    }

    /** Prints the lines, and no more: for a lab that prints one report after another and fails once at the end. */
    Report printLines() {
        lines.forEach(System.out::println);
        return this;
    }

    List<String> missed() {
        return List.copyOf(missed);
    }

    static void failIfMissed(List<String> missed) {
        if (!missed.isEmpty()) {
            throw new IllegalStateException("The lab did not show what it is about: " + String.join("; ", missed));
        }
    }
}
