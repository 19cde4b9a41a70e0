package dev.flashsale.order.checkout;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/** An {@code Idempotency-Key} that cannot be honoured: malformed, or reused for a different order. */
class IdempotencyKeyException extends ErrorResponseException {

    static final int MAX_LENGTH = 200;

    private IdempotencyKeyException(HttpStatus status, String title, String detail) {
        super(status, problem(status, title, detail), null);
    }

    static IdempotencyKeyException malformed() {
        return new IdempotencyKeyException(HttpStatus.BAD_REQUEST, "Invalid Idempotency-Key",
                "The Idempotency-Key header must be 1 to " + MAX_LENGTH + " printable ASCII characters, not all blank.");
    }

    /** Same key, different body: replaying the first order would hide the client's mistake. */
    static IdempotencyKeyException reused() {
        return new IdempotencyKeyException(HttpStatus.UNPROCESSABLE_CONTENT, "Idempotency-Key reused",
                "This Idempotency-Key was already used for a different order; use a new key for a new order.");
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return problem;
    }
}
