package dev.flashsale.order.downstream;

/** A worker the synchronous checkout depends on could not be reached, did not answer in time, or failed. */
public class DownstreamException extends RuntimeException {

    private final String worker;

    DownstreamException(String worker, String what, Throwable cause) {
        super(worker + " " + what, cause);
        this.worker = worker;
    }

    /** The worker that failed, as its module is called. */
    public String worker() {
        return worker;
    }
}
