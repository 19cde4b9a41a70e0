package dev.flashsale.labs;

import java.util.List;

/**
 * One lab: a program of a few seconds that shows one behaviour of a message queue on a real broker, prints what
 * happened with a verdict line the guide quotes, and cleans up the queues it declared.
 *
 * <p>A lab measures first, into a record of its findings ({@code LifecycleLab.Findings}), and a report of its own
 * ({@code LifecycleReport}) then tells them as lines and verdicts ({@link Report}): the measuring needs the broker and
 * is tested by the guide's test, the telling needs none and has unit tests.
 *
 * <p>A lab prints facts it measured, never what it expected: the guide's test compares the printed verdicts with the
 * guide, so a lab that stops showing its behaviour fails the build instead of teaching something false.
 */
interface Lab {

    /** The name on the command line: {@code scripts/lab.sh <name>}. */
    String name();

    /** One line for the list of labs. */
    String summary();

    void run(List<String> arguments) throws Exception;
}
