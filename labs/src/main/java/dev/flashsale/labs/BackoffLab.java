package dev.flashsale.labs;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.TreeSet;

import org.springframework.core.retry.RetryPolicy;
import org.springframework.util.backoff.BackOffExecution;

/**
 * Retries with exponential backoff, with and without jitter: a thousand messages fail together when a dependency
 * goes down, and the lab follows every retry the workers' own {@link RetryPolicy} schedules for them.
 *
 * <p>The timing is simulated on a virtual clock (a retry happens at the time its policy's {@code BackOff} says, no
 * one sleeps) because the lesson is in how the retries are spread over time, and that comes from the real policy
 * object; the jitter in it is {@code Math.random()}, unseeded, so the verdicts are checked on every run.
 */
final class BackoffLab implements Lab {

    private static final int MESSAGES = 1_000;

    /** The workers' defaults (WorkerProperties.Retry): 5 attempts, the first one included. */
    private static final int MAX_RETRIES = 4;

    /** The dependency (say, the SMTP server) is down from t=0 until this time, in milliseconds. */
    private static final long BACK_AT = 2_500;

    /** Once back, it takes this many calls per window and refuses the rest, as a throttling server does. */
    private static final int CAPACITY = 100;
    private static final long WINDOW = 100;

    /** The histogram: retries per bucket, from 1 s (no retry comes earlier) to 4 s. */
    private static final long BUCKET = 250;
    private static final long HISTOGRAM_FROM = 1_000;
    private static final long HISTOGRAM_TO = 4_000;
    private static final int RETRIES_PER_MARK = 25;

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
        System.out.printf("%d messages fail at t=0: their dependency (say, the SMTP server) is down.%n", MESSAGES);
        System.out.printf("It is back at t=%.1f s and then takes %d calls per %d ms; it refuses the calls over that.%n",
                BACK_AT / 1000.0, CAPACITY, WINDOW);
        System.out.println("Each message retries when a Spring RetryPolicy's BackOff says"
                + " (virtual clock, no sleeping).");
        System.out.println();

        Outcome immediate = simulate(policy(Duration.ZERO, Duration.ZERO));
        Outcome noJitter = simulate(policy(WorkerRetryPolicy.DELAY, Duration.ZERO));
        // The workers' defaults (WorkerProperties.Retry), built as WorkerAutoConfiguration builds them. Spring scales
        // the jitter with the delay (1 s + 0..250 ms, then 2 s ± 500 ms, 4 s ± 1 s, ...) and never goes below the
        // first delay, so the first retries spread over a quarter of a second only, the later ones much wider.
        Outcome jitter = simulate(policy(WorkerRetryPolicy.DELAY, WorkerRetryPolicy.JITTER));

        System.out.printf("%-30s %7s %13s %14s %9s %13s %9s%n", "policy", "retries", "peak/100 ms",
                "over capacity", "succeeded", "dead-lettered", "all ok at");
        print("no backoff (immediate retry)", immediate);
        print("exponential, no jitter", noJitter);
        print("exponential + jitter (workers)", jitter);
        System.out.println();

        System.out.printf("Retries per %d ms (# = %d retries; from %.1f s the dependency takes %d per %d ms):%n",
                BUCKET, RETRIES_PER_MARK, BACK_AT / 1000.0, CAPACITY * BUCKET / WINDOW, BUCKET);
        System.out.printf("%-16s %-45s %s%n", "", "exponential, no jitter", "exponential + jitter (workers)");
        for (int bucket = 0; bucket < noJitter.histogram.length; bucket++) {
            long from = HISTOGRAM_FROM + bucket * BUCKET;
            System.out.printf("%4.2f-%4.2f s %-4s %s  %s%n", from / 1000.0, (from + BUCKET) / 1000.0,
                    from < BACK_AT ? "down" : "up", bar(noJitter.histogram[bucket]),
                    bar(jitter.histogram[bucket]).stripTrailing());
        }
        System.out.println();

        // Synchronized: every message's n-th retry at the same instant, and the first wave is the whole herd.
        boolean herd = noJitter.peak == MESSAGES && noJitter.retryInstants.size() <= MAX_RETRIES;
        double spread = (double) noJitter.peak / jitter.peak;
        double spreadWhenBack = (double) noJitter.peakWhenBack / jitter.peakWhenBack;
        if (herd) {
            System.out.printf("=> without jitter each wave of retries hit at one instant (%s s): peak = all %d at"
                    + " once%n", seconds(noJitter.retryInstants), MESSAGES);
        }
        else {
            System.out.printf("=> without jitter the retries did not come all at once (peak %d per %d ms)%n",
                    noJitter.peak, WINDOW);
        }
        if (spread >= 2) {
            System.out.printf("=> with jitter the peak was %d per %d ms, %.1fx lower; once the dependency was back,"
                    + " %d vs %d (%.1fx)%n", jitter.peak, WINDOW, spread, jitter.peakWhenBack, noJitter.peakWhenBack,
                    spreadWhenBack);
        }
        else {
            System.out.printf("=> jitter did not spread the retries this time: peak %d vs %d per %d ms%n", jitter.peak,
                    noJitter.peak, WINDOW);
        }
        boolean jitterSaved = jitter.deadLettered < noJitter.deadLettered;
        if (jitterSaved) {
            System.out.printf("=> dead-lettered without jitter: %d, with jitter: %d: spread out, the retries fit what"
                    + " the server could take%n", noJitter.deadLettered, jitter.deadLettered);
        }
        else {
            System.out.printf("=> jitter did not save any message this time: dead-lettered %d vs %d%n",
                    jitter.deadLettered, noJitter.deadLettered);
        }
        if (!herd || spread < 2 || !jitterSaved) {
            throw new IllegalStateException("the backoff lab did not show what it is about (see the verdicts above)");
        }
    }

    /** The workers' retry policy, with the given first delay and jitter. */
    private static RetryPolicy policy(Duration delay, Duration jitter) {
        return WorkerRetryPolicy.of(MAX_RETRIES + 1, delay, WorkerRetryPolicy.MAX_DELAY, jitter);
    }

    /**
     * Every message fails at t=0, then retries at the times its own execution of the policy's BackOff gives,
     * until a call succeeds or the BackOff says stop (dead-lettered). Calls are served in time order: the first
     * {@link #CAPACITY} of a window get through.
     */
    private static Outcome simulate(RetryPolicy policy) {
        record Retry(long at, BackOffExecution backOff) {
        }
        PriorityQueue<Retry> retries = new PriorityQueue<>(Comparator.comparingLong(Retry::at));
        Outcome outcome = new Outcome();
        for (int message = 0; message < MESSAGES; message++) {
            BackOffExecution backOff = policy.getBackOff().start();
            long delay = backOff.nextBackOff();
            if (delay == BackOffExecution.STOP) {
                outcome.deadLettered++;
            }
            else {
                retries.add(new Retry(delay, backOff));
            }
        }
        Map<Long, Integer> callsPerWindow = new HashMap<>();
        for (Retry retry = retries.poll(); retry != null; retry = retries.poll()) {
            outcome.count(retry.at);
            int calls = callsPerWindow.merge(retry.at / WINDOW, 1, Integer::sum);
            outcome.peak = Math.max(outcome.peak, calls);
            if (retry.at >= BACK_AT) {
                outcome.peakWhenBack = Math.max(outcome.peakWhenBack, calls);
            }
            if (retry.at >= BACK_AT && calls <= CAPACITY) {
                outcome.succeeded++;
                outcome.lastSuccessAt = retry.at;
                continue;
            }
            if (retry.at >= BACK_AT) {
                outcome.overCapacity++;
            }
            long delay = retry.backOff.nextBackOff();
            if (delay == BackOffExecution.STOP) {
                outcome.deadLettered++;
            }
            else {
                retries.add(new Retry(retry.at + delay, retry.backOff));
            }
        }
        return outcome;
    }

    private static void print(String policy, Outcome outcome) {
        String allOk = outcome.succeeded == MESSAGES ? "%.1f s".formatted(outcome.lastSuccessAt / 1000.0) : "never";
        System.out.printf("%-30s %7d %13d %14d %9d %13d %9s%n", policy, outcome.retries, outcome.peak,
                outcome.overCapacity, outcome.succeeded, outcome.deadLettered, allOk);
    }

    private static String bar(int retries) {
        String marks = "#".repeat((retries + RETRIES_PER_MARK - 1) / RETRIES_PER_MARK);
        return "%4d %-40s".formatted(retries, marks);
    }

    private static String seconds(TreeSet<Long> instants) {
        List<String> seconds = new ArrayList<>();
        instants.forEach(instant -> seconds.add("%.0f".formatted(instant / 1000.0)));
        return String.join(", ", seconds);
    }

    /** What one policy did to the dependency and to the messages. */
    private static final class Outcome {

        int retries;
        int peak;
        int peakWhenBack;
        int overCapacity;
        int succeeded;
        int deadLettered;
        long lastSuccessAt;
        final TreeSet<Long> retryInstants = new TreeSet<>();
        final int[] histogram = new int[(int) ((HISTOGRAM_TO - HISTOGRAM_FROM) / BUCKET)];

        void count(long at) {
            retries++;
            retryInstants.add(at);
            if (at >= HISTOGRAM_FROM && at < HISTOGRAM_TO) {
                histogram[(int) ((at - HISTOGRAM_FROM) / BUCKET)]++;
            }
        }
    }
}
