package dev.flashsale.order.outbox;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The order-service's fault knob, changeable at run time by an admin (the path is behind the admin
 * credentials, see the admin-security module): what happens between an order's commit and its publish. There only
 * while the knob exists ({@link OutboxConfiguration.FaultKnob}).
 */
@RestController
@ConditionalOnBooleanProperty(name = AfterCommitFault.KNOB, matchIfMissing = true)
class FaultController {

    private final AfterCommitFault afterCommitFault;

    FaultController(AfterCommitFault afterCommitFault) {
        this.afterCommitFault = afterCommitFault;
    }

    @GetMapping("/api/admin/faults")
    Faults faults() {
        return new Faults(afterCommitFault.mode());
    }

    @PutMapping("/api/admin/faults")
    Faults change(@RequestBody Faults change) {
        if (change.afterCommitFault() == null) {
            throw new ResponseStatusException(HttpStatus.BAD_REQUEST, "afterCommitFault is required: NONE, DROP or HALT");
        }
        afterCommitFault.set(change.afterCommitFault());
        return faults();
    }

    /**
     * The knobs, as read and written over HTTP.
     *
     * @param afterCommitFault {@code NONE}, {@code DROP} (the event is not published after the commit; the relay
     *        sends it later) or {@code HALT} (the JVM halts right after the next commit, like {@code kill -9})
     */
    record Faults(AfterCommitFault.@Nullable Mode afterCommitFault) {
    }
}
