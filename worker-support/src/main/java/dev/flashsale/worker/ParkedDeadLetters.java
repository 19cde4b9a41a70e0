package dev.flashsale.worker;

/**
 * How many dead letters of this worker wait for an admin, for the stats ({@code deadLettersParked}): answered by the
 * dead-letter store (module dead-letters) when the worker has one. The pipeline only dead-letters a message
 * ({@link DeadLetterRecoverer}); what becomes of it afterwards is the store's, which depends on the pipeline and never
 * the other way round.
 */
@FunctionalInterface
public interface ParkedDeadLetters {

    /** The dead letters parked now. */
    long parked();
}
