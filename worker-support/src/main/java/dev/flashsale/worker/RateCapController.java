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
 * The rate cap over HTTP, behind the admin credentials like everything under {@code /api/admin} (see admin-security):
 * {@code PUT /api/admin/consumption/max-rate} with {@code {"perSecond":500}} caps the messages this worker applies a
 * second ({@link RateCap}), and {@code DELETE} takes the cap off.
 */
@RestController
class RateCapController {

    private static final String INVALID_RATE = "Invalid rate cap";

    private final RateCap rateCap;

    RateCapController(RateCap rateCap) {
        this.rateCap = rateCap;
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
}
