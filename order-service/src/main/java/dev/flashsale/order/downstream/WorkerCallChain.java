package dev.flashsale.order.downstream;

import java.util.List;

/** The workers the synchronous checkout calls, one after the other, in this order. */
public record Workers(List<WorkerClient> inOrder) {

    public Workers {
        inOrder = List.copyOf(inOrder);
    }
}
