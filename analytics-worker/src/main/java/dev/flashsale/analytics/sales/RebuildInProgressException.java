package dev.flashsale.analytics.sales;

/** A rebuild was asked for while another one is filling a generation. */
public class RebuildInProgressException extends RuntimeException {

    RebuildInProgressException(Integer generation) {
        super("A rebuild is already filling generation " + generation + " of the figures; wait for it to finish");
    }
}
