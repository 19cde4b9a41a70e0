package dev.flashsale.worker.demo;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The consumption switch over HTTP, behind the admin credentials like everything under {@code /api/admin} (see
 * admin-security): {@code PUT /api/admin/consumption} with {@code {"consuming":false}} or {@code true} stops and resumes
 * taking messages from the queue. A demo switch ({@link DemoSwitches}): it shows the queue absorbing the load.
 */
@RestController
class ConsumptionSwitchController {

    private final ConsumptionSwitch consumption;

    ConsumptionSwitchController(ConsumptionSwitch consumption) {
        this.consumption = consumption;
    }

    @GetMapping("/api/admin/consumption")
    State state() {
        return new State(consumption.consuming());
    }

    @PutMapping("/api/admin/consumption")
    ResponseEntity<?> change(@RequestBody State change) {
        if (change.consuming() == null) {
            return badRequest("Invalid consumption state",
                    "consuming is required: false stops taking messages from the queue, true resumes.");
        }
        if (change.consuming()) {
            consumption.resume();
        }
        else {
            consumption.stop();
        }
        return ResponseEntity.ok(state());
    }

    private static ResponseEntity<ProblemDetail> badRequest(String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle(title);
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * Whether the worker takes messages from its queue.
     *
     * @param consuming true while it does; false once stopped, and messages wait in the queue
     */
    record State(@Nullable Boolean consuming) {
    }
}
