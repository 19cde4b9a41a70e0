package dev.flashsale.worker;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Stops and resumes this worker's consumption over HTTP, behind the admin credentials like everything under
 * {@code /api/admin} (see admin-security): {@code PUT /api/admin/consumption} with {@code {"consuming":false}} or
 * {@code true}.
 */
@RestController
class ConsumptionController {

    private final Consumption consumption;

    ConsumptionController(Consumption consumption) {
        this.consumption = consumption;
    }

    @GetMapping("/api/admin/consumption")
    State state() {
        return new State(consumption.consuming());
    }

    @PutMapping("/api/admin/consumption")
    ResponseEntity<?> change(@RequestBody State change) {
        if (change.consuming() == null) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "consuming is required: false stops taking messages from the queue, true resumes.");
            problem.setTitle("Invalid consumption state");
            return ResponseEntity.badRequest().body(problem);
        }
        if (change.consuming()) {
            consumption.resume();
        }
        else {
            consumption.stop();
        }
        return ResponseEntity.ok(state());
    }

    /**
     * Whether the worker takes messages from its queue.
     *
     * @param consuming true while it does; false once stopped, and messages wait in the queue
     */
    record State(@Nullable Boolean consuming) {
    }
}
