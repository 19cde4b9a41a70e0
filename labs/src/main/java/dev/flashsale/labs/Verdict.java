package dev.flashsale.labs;

/**
 * A lab's verdict line: the lesson when the lab saw it happen, otherwise what it saw instead and then a failure, so
 * that the guide's test fails rather than teach something the broker did not do.
 */
final class Verdict {

    private Verdict() {
    }

    static void check(boolean observed, String lesson, String otherwise) {
        System.out.println("=> " + (observed ? lesson : otherwise));
        if (!observed) {
            throw new IllegalStateException("The lab did not show what it is about: " + otherwise);
        }
    }
}
