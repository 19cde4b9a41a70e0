package dev.flashsale.labs;

import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.IntStream;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Retries with exponential backoff, with and without jitter: a thousand messages fail together when a dependency
 * goes down, and the lab follows every retry the workers' own {@link RetryPolicy} schedules for them.
 * {@link BackoffReport} tells it.
 *
 * <p>The timing is simulated on a virtual clock (a retry happens at the time its policy's {@code BackOff} says, no
 * one sleeps) because the lesson is in how the retries are spread over time, and that comes from the real policy
 * object; the jitter in it is {@code Math.random()}, unseeded, so the verdicts are checked on every run.
 */
final class BackoffLab implements Lab {

    static final int MESSAGES = 1_000;

    /** The workers' defaults (WorkerProperties.Retry): 5 attempts, the first one included. */
    static final int MAX_RETRIES = 4;

    /** The dependency (say, the SMTP server) is down from t=0 until this time, in milliseconds. */
    static final long BACK_AT = 2_500;

    /** Once back, it takes this many calls per window and refuses the rest, as a throttling server does. */
    static final int CAPACITY = 100;
    static final long WINDOW = 100;

    /** The histogram: retries per bucket, from 1 s (no retry comes earlier) to 4 s. */
    static final long BUCKET = 250;
    static final long HISTOGRAM_FROM = 1_000;
    static final long HISTOGRAM_TO = 4_000;

    /** What each of the three policies did: retrying at once, exponential without jitter, the workers' own. */
    record Findings(Outcome immediate, Outcome noJitter, Outcome jitter) {
    }

    /**
     * What one policy did to the dependency and to the messages.
     *
     * @param peak          the most calls in one window
     * @param peakWhenBack  the most in one window once the dependency was back
     * @param lastSuccessAt when the last call succeeded, in milliseconds
     * @param retryInstants every instant at which a retry came
     * @param histogram     retries per {@link #BUCKET}, from {@link #HISTOGRAM_FROM} to {@link #HISTOGRAM_TO}
     */
    record Outcome(int retries, int peak, int peakWhenBack, int overCapacity, int succeeded, int deadLettered,
            long lastSuccessAt, SortedSet<Long> retryInstants, List<Integer> histogram) {
    }

    @Override
    public String name() {
        return "backoff";
    }

    @Override
    public String summary() {
        return "retries with exponential backoff: the thundering herd without jitter, spread out with it";
    }

    @Override
    public void run(List<String> arguments) {
        BackoffReport.of(new Findings(
                simulate(policy(Duration.ZERO, Duration.ZERO)),
                simulate(policy(WorkerRetryPolicy.DELAY, Duration.ZERO)),
                // The workers' defaults (WorkerProperties.Retry), built as WorkerAutoConfiguration builds them. Spring
                // scales the jitter with the delay (1 s + 0..250 ms, then 2 s ± 500 ms, 4 s ± 1 s, ...) and never
                // goes below the first delay, so the first retries spread over a quarter of a second only, the later
                // ones much wider.
                simulate(policy(WorkerRetryPolicy.DELAY, WorkerRetryPolicy.JITTER)))).print();
    }

    /** The workers' retry policy, with the given first delay and jitter. */
    private static RetryPolicy policy(Duration delay, Duration jitter) {
        return WorkerRetryPolicy.of(MAX_RETRIES + 1, delay, WorkerRetryPolicy.MAX_DELAY, jitter);
    }

    private record Retry(long at, BackOffExecution backOff) {
    }

    /**
     * Every message fails at t=0, then retries at the times its own execution of the policy's BackOff gives,
     * until a call succeeds or the BackOff says stop (dead-lettered). Calls are served in time order: the first
     * {@link #CAPACITY} of a window get through.
     */
    static Outcome simulate(RetryPolicy policy) {
        PriorityQueue<Retry> retries = new PriorityQueue<>(Comparator.comparingLong(Retry::at));
        Tally tally = new Tally();
        for (int message = 0; message < MESSAGES; message++) {
            tally.next(retries, 0, policy.getBackOff().start());
        }
        Map<Long, Integer> callsPerWindow = new HashMap<>();
        for (Retry retry = retries.poll(); retry != null; retry = retries.poll()) {
            int calls = callsPerWindow.merge(retry.at / WINDOW, 1, Integer::sum);
            if (!tally.call(retry.at, calls)) {
                tally.next(retries, retry.at, retry.backOff);
            }
        }
        return tally.outcome();
    }

    /** The figures of an {@link Outcome}, as the simulation counts them. */
    private static final class Tally {

        int retries;
        int peak;
        int peakWhenBack;
        int overCapacity;
        int succeeded;
        int deadLettered;
        long lastSuccessAt;
        final SortedSet<Long> retryInstants = new TreeSet<>();
        final int[] histogram = new int[(int) ((HISTOGRAM_TO - HISTOGRAM_FROM) / BUCKET)];

        /** The message's next retry, or its dead-lettering when its BackOff says stop. */
        void next(PriorityQueue<Retry> retries, long now, BackOffExecution backOff) {
            long delay = backOff.nextBackOff();
            if (delay == BackOffExecution.STOP) {
                deadLettered++;
            }
            else {
                retries.add(new Retry(now + delay, backOff));
            }
        }

        /** A retry at {@code at}, the {@code calls}-th of its window; whether it succeeded. */
        boolean call(long at, int calls) {
            retries++;
            retryInstants.add(at);
            if (at >= HISTOGRAM_FROM && at < HISTOGRAM_TO) {
                histogram[(int) ((at - HISTOGRAM_FROM) / BUCKET)]++;
            }
            peak = Math.max(peak, calls);
            if (at < BACK_AT) {
                return false;
            }
            peakWhenBack = Math.max(peakWhenBack, calls);
            if (calls > CAPACITY) {
                overCapacity++;
                return false;
            }
            succeeded++;
            lastSuccessAt = at;
            return true;
        }

        Outcome outcome() {
            return new Outcome(retries, peak, peakWhenBack, overCapacity, succeeded, deadLettered, lastSuccessAt,
                    retryInstants, IntStream.of(histogram).boxed().toList());
        }
    }
}
