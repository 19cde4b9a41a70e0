package dev.flashsale.worker;

import java.util.Map;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Admin operations, behind HTTP basic authentication ({@link WorkerSecurityConfiguration}): fault knobs, DLQ replay. */
@RestController
class AdminController {

    private final FaultInjector faults;
    private final DeadLetterReplayer replayer;

    AdminController(FaultInjector faults, DeadLetterReplayer replayer) {
        this.faults = faults;
        this.replayer = replayer;
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

    /** Moves up to {@code max} messages from this worker's DLQ back to its queue. */
    @PostMapping("/api/admin/dlq/replay")
    Map<String, Integer> replay(@RequestParam(defaultValue = "100") int max) {
        return Map.of("replayed", replayer.replay(max));
    }
}
