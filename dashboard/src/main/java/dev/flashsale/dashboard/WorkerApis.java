package dev.flashsale.dashboard;

import java.util.List;
import java.util.Optional;

/** The three workers as the dashboard shows them, in the order of their queues. */
record WorkerApis(List<WorkerApi> all) {

    WorkerApis {
        all = List.copyOf(all);
    }

    Optional<WorkerApi> named(String name) {
        return all.stream().filter(worker -> worker.name().equals(name)).findFirst();
    }
}
