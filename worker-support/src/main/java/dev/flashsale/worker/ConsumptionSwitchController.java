package dev.flashsale.worker;

import org.jspecify.annotations.Nullable;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * This worker's consumption over HTTP, behind the admin credentials like everything under {@code /api/admin} (see
 * admin-security): {@code PUT /api/admin/consumption} with {@code {"consuming":false}} or {@code true} stops and resumes
 * it; {@code PUT /api/admin/consumption/max-rate} with {@code {"perSecond":500}} caps it ({@link RateCap}), and
 * {@code DELETE} takes the cap off.
 */
@RestController
class ConsumptionSwitchController {

    private static final String INVALID_RATE = "Invalid rate cap";

    private final ConsumptionSwitch consumption;
    private final RateCap rateCap;

    ConsumptionSwitchController(ConsumptionSwitch consumption, RateCap rateCap) {
        this.consumption = consumption;
        this.rateCap = rateCap;
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

    @GetMapping("/api/admin/consumption/max-rate")
    MaxRate maxRate() {
        return new MaxRate(rateCap.perSecond());
    }

    @PutMapping("/api/admin/consumption/max-rate")
    ResponseEntity<?> cap(@RequestBody MaxRate change) {
        if (change.perSecond() == null) {
            return badRequest(INVALID_RATE, "perSecond is required: the most messages a second this worker applies. To take the cap "
                    + "off, DELETE /api/admin/consumption/max-rate.");
        }
        try {
            rateCap.set(change.perSecond());
        }
        catch (IllegalArgumentException ex) {
            return badRequest(INVALID_RATE, ex.getMessage());
        }
        return ResponseEntity.ok(maxRate());
    }

    @DeleteMapping("/api/admin/consumption/max-rate")
    MaxRate uncap() {
        rateCap.set(null);
        return maxRate();
    }

    private static ResponseEntity<ProblemDetail> badRequest(String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        problem.setTitle(title);
        return ResponseEntity.badRequest().body(problem);
    }

    /**
     * The rate cap.
     *
     * @param perSecond the most messages a second the worker applies; null while there is no cap
     */
    record MaxRate(@Nullable Integer perSecond) {
    }

    /**
     * Whether the worker takes messages from its queue.
     *
     * @param consuming true while it does; false once stopped, and messages wait in the queue
     */
    record State(@Nullable Boolean consuming) {
    }
}
