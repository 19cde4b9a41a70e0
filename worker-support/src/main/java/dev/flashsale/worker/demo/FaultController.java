package dev.flashsale.worker.demo;

import dev.flashsale.worker.WorkerProperties;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The fault knobs over HTTP, behind the admin credentials like everything under {@code /api/admin} (see admin-security). */
@RestController
class FaultController {

    private final FaultInjector faults;

    FaultController(FaultInjector faults) {
        this.faults = faults;
    }

    @GetMapping("/api/admin/faults")
    WorkerProperties.Faults faults() {
        return faults.get();
    }

    @PutMapping("/api/admin/faults")
    WorkerProperties.Faults change(@RequestBody WorkerProperties.Faults change) {
        faults.set(change);
        return faults.get();
    }

    /** A rate outside 0..1 or a negative latency: the knobs stay as they were. */
    @ExceptionHandler
    ProblemDetail invalid(IllegalArgumentException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid fault knobs");
        return problem;
    }
}
