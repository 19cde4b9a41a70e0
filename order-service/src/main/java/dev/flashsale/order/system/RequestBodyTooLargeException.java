package dev.flashsale.order.system;

import java.io.IOException;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * A request body over {@link CheckoutProperties#maxRequestSize()}. An {@link IOException}, so
 * that it can be thrown while the body is being read, from inside the JSON parser.
 */
class RequestBodyTooLargeException extends IOException {

    private final long maxBytes;

    RequestBodyTooLargeException(long maxBytes) {
        super("Request body larger than " + maxBytes + " bytes");
        this.maxBytes = maxBytes;
    }

    ProblemDetail problem() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONTENT_TOO_LARGE,
                "The request body is larger than the limit of " + maxBytes + " bytes.");
        problem.setTitle("Request body too large");
        problem.setProperty("maxBytes", maxBytes);
        return problem;
    }
}
