package dev.flashsale.deadletter;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** The dead-letter API's errors as RFC 9457 problems: unknown id 404, bad input 400, row busy 409, broker did not take it 503. */
@RestControllerAdvice(assignableTypes = DeadLetterController.class)
class DeadLetterExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(DeadLetterExceptionHandler.class);

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notFound(DeadLetterNotFoundException ex) {
        return problem(HttpStatus.NOT_FOUND, "Dead letter not found", ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> badRequest(IllegalArgumentException ex) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", ex.getMessage());
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> busy(PessimisticLockingFailureException ex) {
        return problem(HttpStatus.CONFLICT, "Dead letter busy",
                "Another admin operation is replaying or discarding this dead letter right now; look again in a moment.");
    }

    @ExceptionHandler
    ResponseEntity<ProblemDetail> notConfirmed(ReplayFailedException ex) {
        log.warn("Replay failed after {} replayed: {}", ex.replayed(), ex.getMessage());
        ResponseEntity<ProblemDetail> answer = problem(HttpStatus.SERVICE_UNAVAILABLE, "Replay not confirmed by the broker",
                ex.getMessage() + ". The dead letters not replayed are still parked; try again when the broker is back.");
        answer.getBody().setProperty("replayed", ex.replayed());
        return answer;
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}
