package dev.flashsale.deadletter;

/**
 * A replay that the broker did not take (not reachable, no confirm in time, a nack, returned as unroutable). The
 * rows it concerns are still in the table; a replay of several may have replayed some before it failed.
 */
public class ReplayFailedException extends RuntimeException {

    private final int replayed;

    ReplayFailedException(String message) {
        this(message, null, 0);
    }

    ReplayFailedException(String message, Throwable cause) {
        this(message, cause, 0);
    }

    private ReplayFailedException(String message, Throwable cause, int replayed) {
        super(message, cause);
        this.replayed = replayed;
    }

    /** The same failure, after {@code replayed} rows of a larger replay had been replayed. */
    ReplayFailedException afterReplaying(int replayed) {
        return new ReplayFailedException(getMessage(), getCause(), replayed);
    }

    /** How many dead letters were replayed (and removed from the table) before the failure. */
    public int replayed() {
        return replayed;
    }
}
