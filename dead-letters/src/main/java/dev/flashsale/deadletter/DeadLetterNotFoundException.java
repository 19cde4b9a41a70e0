package dev.flashsale.deadletter;

/** No dead letter with this id: it never existed, or it has been replayed or discarded since. */
public class DeadLetterNotFoundException extends RuntimeException {

    DeadLetterNotFoundException(long id) {
        super("No dead letter " + id + " is parked in this worker: it has been replayed or discarded, or never existed.");
    }
}
