package dev.flashsale.worker.demo;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import dev.flashsale.worker.WorkerProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault knobs of a worker, for demos: a share of attempts that fail, a latency added to each
 * attempt, and a share of deliveries that end as if the consumer had crashed. All zero, and not settable, when the
 * demo switches are off ({@link DemoSwitches}).
 */
public final class FaultInjector {

    private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

    private volatile WorkerProperties.Faults faults;

    FaultInjector(WorkerProperties.Faults faults) {
        set(faults);
    }

    public WorkerProperties.Faults get() {
        return faults;
    }

    public void set(WorkerProperties.Faults faults) {
        if (faults.failureRate() < 0 || faults.failureRate() > 1 || faults.crashRate() < 0 || faults.crashRate() > 1) {
            throw new IllegalArgumentException("failureRate and crashRate are shares between 0 and 1");
        }
        if (faults.latency() == null || faults.latency().isNegative()) {
            throw new IllegalArgumentException("latency is required and cannot be negative");
        }
        this.faults = faults;
        log.info("Fault knobs: failure rate {}, latency {}, crash rate {}", faults.failureRate(), faults.latency(), faults.crashRate());
    }

    /** Whether any knob is set: failures, latency or crashes are then injected, one message at a time. */
    public boolean active() {
        WorkerProperties.Faults current = faults;
        return current.failureRate() > 0 || !current.latency().isZero() || current.crashRate() > 0;
    }

    /** Whether this delivery should end as if the consumer had died holding it. */
    public boolean crashNow() {
        double rate = faults.crashRate();
        return rate > 0 && ThreadLocalRandom.current().nextDouble() < rate;
    }

    /** Adds the configured latency, then fails the attempt at the configured rate. */
    public void beforeAttempt() throws InterruptedException {
        WorkerProperties.Faults current = faults;
        Duration latency = current.latency();
        if (!latency.isZero()) {
            Thread.sleep(latency.toMillis());
        }
        if (current.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < current.failureRate()) {
            throw new SimulatedFailureException();
        }
    }

    /** A failure injected by the fault knobs: retried like any transient downstream failure. */
    public static final class SimulatedFailureException extends RuntimeException {

        SimulatedFailureException() {
            super("Simulated failure (fault knob failureRate)");
        }
    }
}
