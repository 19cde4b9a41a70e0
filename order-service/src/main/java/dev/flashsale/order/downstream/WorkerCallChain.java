package dev.flashsale.order.downstream;

import java.util.List;

/** The chain of HTTP calls a synchronous checkout makes: one client per worker, called one after the other, in this order. */
public record WorkerCallChain(List<WorkerClient> inOrder) {

    public WorkerCallChain {
        inOrder = List.copyOf(inOrder);
    }
}
