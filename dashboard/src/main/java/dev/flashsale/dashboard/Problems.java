package dev.flashsale.dashboard;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;

/** The console's error answers: an RFC 9457 problem with a title a person reads and a detail that says what to do. */
final class Problems {

    private Problems() {
    }

    static ResponseEntity<ProblemDetail> of(HttpStatus status, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        return ResponseEntity.status(status).body(problem);
    }
}
