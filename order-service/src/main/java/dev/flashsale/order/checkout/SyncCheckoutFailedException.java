package dev.flashsale.order.checkout;

import java.util.List;
import java.util.UUID;

import dev.flashsale.order.downstream.DownstreamException;
import dev.flashsale.order.downstream.WorkerClient.Step;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** A worker failed during a synchronous checkout: answered as a 503 problem that names it. */
class SyncCheckoutFailedException extends ErrorResponseException {

    SyncCheckoutFailedException(UUID orderId, DownstreamException failure, List<Step> completed) {
        super(HttpStatus.SERVICE_UNAVAILABLE, problem(orderId, failure, completed), failure);
    }

    private static ProblemDetail problem(UUID orderId, DownstreamException failure, List<Step> completed) {
        List<String> done = completed.stream().map(Step::worker).toList();
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The synchronous checkout depends on " + failure.worker() + ", which " + failure.getMessage()
                        .substring(failure.worker().length() + 1) + ". Order " + orderId + " is FAILED"
                        + (done.isEmpty() ? " and no worker has applied it." : "; already applied by " + String.join(", ", done) + ".")
                        + " Retry with the same Idempotency-Key to finish it, or use the asynchronous checkout,"
                        + " which does not depend on the workers being up.");
        problem.setTitle("Dependency unavailable");
        problem.setProperty("dependency", failure.worker());
        problem.setProperty("orderId", orderId);
        problem.setProperty("appliedBy", done);
        return problem;
    }
}
