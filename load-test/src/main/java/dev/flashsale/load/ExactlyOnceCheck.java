package dev.flashsale.load;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a stream of checkouts, waits until the workers have caught up, then checks that every order the checkout
 * accepted was applied exactly once by every worker, and that nothing it refused was applied.
 *
 * <p>Each worker is checked against its own evidence: its dedup table says which orders it applied and when;
 * its effect says how often. The mails the SMTP server received are counted per order (a mail sent twice is
 * seen twice), the units taken from stock must equal the units of the accepted orders, and the analytics totals
 * must grow by exactly the accepted orders and units. Everything is compared with a {@link Baseline} taken
 * before the stream, so that several streams can run against one system.
 */
final class ExactlyOnceCheck {

    private static final Logger log = LoggerFactory.getLogger(ExactlyOnceCheck.class);

    /** What the workers had done before a stream started. */
    record Baseline(Map<String, Set<UUID>> applied, Map<String, Long> appliedCounters, Map<String, Long> stock,
            long[] analytics, Map<String, Integer> mails, long unansweredSends) {
    }

    /** An order the checkout accepted, and what it asked for. */
    record Accepted(long sentAt, Map<String, Integer> units, boolean express) {
    }

    /**
     * One worker's account of a stream.
     *
     * @param worker the worker
     * @param applied accepted orders it applied
     * @param lost accepted orders it never applied
     * @param duplicated orders whose effect it applied more than once (as far as its effect can tell); for the email
     *        worker, mails beyond one per order that its unanswered sends do not account for
     * @param sentAgain the email worker's mails beyond one per order that followed an unanswered send (the SMTP
     *        server's reply to the mail's data never came, so it was sent again, with the same Message-ID): at most
     *        the unanswered sends it counted; 0 for the others
     * @param unexpected orders it applied that the checkout never accepted
     * @param endToEndMillis from the checkout request to the worker's commit, per accepted order (per normal order, when the
     *        stream has express orders)
     * @param expressEndToEndMillis the same, of the express orders alone (none in most streams)
     * @param drainedAfterMillis from the end of the load to the worker's last commit for the stream
     */
    record WorkerResult(String worker, long applied, long lost, long duplicated, long sentAgain, long unexpected,
            Percentiles endToEndMillis, Percentiles expressEndToEndMillis, long drainedAfterMillis) {
    }

    /** The accounting of a stream: accepted orders against each worker. */
    record Result(long accepted, List<WorkerResult> workers, List<String> problems) {

        boolean exactlyOnce() {
            return problems.isEmpty();
        }

        long lost() {
            return workers.stream().mapToLong(WorkerResult::lost).sum();
        }

        long duplicated() {
            return workers.stream().mapToLong(WorkerResult::duplicated).sum();
        }

        long sentAgain() {
            return workers.stream().mapToLong(WorkerResult::sentAgain).sum();
        }
    }

    private final WorkerApis workers;
    private final Mailbox mailbox;
    private final QueueSampler sampler;

    ExactlyOnceCheck(WorkerApis workers, Mailbox mailbox, QueueSampler sampler) {
        this.workers = workers;
        this.mailbox = mailbox;
        this.sampler = sampler;
    }

    Baseline baseline() {
        Map<String, Set<UUID>> applied = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        for (WorkerApis.Worker worker : workers.all()) {
            applied.put(worker.name(), worker.applied().keySet());
            counters.put(worker.name(), worker.appliedSinceStart());
        }
        return new Baseline(applied, counters, workers.stock(), workers.analyticsOrdersAndUnits(), mailbox.perOrder(),
                workers.named("email-worker").unansweredSends());
    }

    /**
     * Waits (up to {@code patience}) until every worker has applied as many orders as were accepted and its queue
     * is empty, then does the accounting.
     */
    Result verify(Map<UUID, Accepted> accepted, Baseline before, Instant loadEnded, Duration patience) {
        awaitCaughtUp(accepted.size(), before, patience);
        List<WorkerResult> results = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        Map<String, Integer> mailsNow = mailbox.perOrder();
        Map<String, Long> stockNow = workers.stock();
        long[] analyticsNow = workers.analyticsOrdersAndUnits();
        Map<String, Long> expectedUnits = new HashMap<>();
        accepted.values().forEach(order -> order.units().forEach((sku, units) -> expectedUnits.merge(sku, (long) units, Long::sum)));
        long expectedUnitsTotal = expectedUnits.values().stream().mapToLong(Long::longValue).sum();
        long mailsBeyondOne = accepted.keySet().stream()
                .mapToLong(id -> Math.max(0, mailsNow.getOrDefault(id.toString(), 0) - before.mails().getOrDefault(id.toString(), 0) - 1))
                .sum();
        // A copy after an unanswered send is SMTP's at-least-once edge, counted apart; copies beyond those are duplicates.
        long unanswered = workers.named("email-worker").unansweredSends() - before.unansweredSends();
        long sentAgain = Math.min(mailsBeyondOne, Math.max(0, unanswered));

        for (WorkerApis.Worker worker : workers.all()) {
            Map<UUID, Instant> appliedNow = worker.applied();
            Set<UUID> newlyApplied = new HashSet<>(appliedNow.keySet());
            newlyApplied.removeAll(before.applied().get(worker.name()));
            long lost = accepted.keySet().stream().filter(id -> !appliedNow.containsKey(id)).count();
            long unexpected = newlyApplied.stream().filter(id -> !accepted.containsKey(id)).count();
            long duplicated = switch (worker.name()) {
                case "email-worker" -> mailsBeyondOne - sentAgain;
                // Units taken beyond the accepted orders' units can only be orders reserved twice.
                case "inventory-worker" -> Math.max(0, takenUnits(before.stock(), stockNow) - expectedUnitsTotal);
                case "analytics-worker" -> Math.max(0, analyticsNow[0] - before.analytics()[0] - accepted.size());
                default -> 0;
            };
            List<Long> endToEnd = new ArrayList<>();
            List<Long> expressEndToEnd = new ArrayList<>();
            long lastCommit = 0;
            for (Map.Entry<UUID, Accepted> order : accepted.entrySet()) {
                Instant at = appliedNow.get(order.getKey());
                if (at != null) {
                    (order.getValue().express() ? expressEndToEnd : endToEnd).add(at.toEpochMilli() - order.getValue().sentAt());
                    lastCommit = Math.max(lastCommit, at.toEpochMilli());
                }
            }
            WorkerResult result = new WorkerResult(worker.name(), accepted.size() - lost, lost, duplicated,
                    worker.name().equals("email-worker") ? sentAgain : 0, unexpected, Percentiles.of(endToEnd), Percentiles.of(expressEndToEnd), lastCommit == 0 ? 0 : Math.max(0, lastCommit - loadEnded.toEpochMilli()));
            results.add(result);
            if (lost > 0) {
                problems.add(worker.name() + " never applied " + lost + " accepted order(s)");
            }
            if (duplicated > 0) {
                problems.add(worker.name() + " applied " + duplicated + " order(s) more than once");
            }
            if (unexpected > 0) {
                problems.add(worker.name() + " applied " + unexpected + " order(s) the checkout never accepted");
            }
        }
        // The effects must add up to exactly the accepted orders: fewer is a loss, more is a duplicate or a refused order.
        checkEqual(problems, "units taken from stock", takenUnits(before.stock(), stockNow), expectedUnitsTotal);
        checkEqual(problems, "orders counted by analytics", analyticsNow[0] - before.analytics()[0], accepted.size());
        checkEqual(problems, "units counted by analytics", analyticsNow[1] - before.analytics()[1], expectedUnitsTotal);
        long newMails = mailsNow.values().stream().mapToLong(Integer::longValue).sum()
                - before.mails().values().stream().mapToLong(Integer::longValue).sum();
        checkEqual(problems, "mails sent (beyond the copies after unanswered sends)", newMails - sentAgain, accepted.size());
        Result result = new Result(accepted.size(), results, problems);
        log.info("Exactly-once check of {} accepted orders: {}; mails sent again after an unanswered send: {} (of {} unanswered)",
                accepted.size(), problems.isEmpty() ? "every worker applied each once" : problems, sentAgain, unanswered);
        return result;
    }

    /**
     * The orders a worker has applied since the baseline, once every worker has applied {@code accepted} (or patience
     * ran out): for a client that does not keep the answers' order ids (hey).
     */
    Set<UUID> appliedSince(Baseline before, String worker, int accepted, Duration patience) {
        awaitCaughtUp(accepted, before, patience);
        Set<UUID> applied = new HashSet<>(workers.named(worker).applied().keySet());
        applied.removeAll(before.applied().get(worker));
        return applied;
    }

    private void awaitCaughtUp(int accepted, Baseline before, Duration patience) {
        Instant deadline = Instant.now().plus(patience);
        Map<String, Long> caughtUp = new LinkedHashMap<>();
        while (Instant.now().isBefore(deadline)) {
            caughtUp.clear();
            boolean done = true;
            for (WorkerApis.Worker worker : workers.all()) {
                long applied = worker.appliedSinceStart() - before.appliedCounters().get(worker.name());
                caughtUp.put(worker.name(), applied);
                done &= applied >= accepted && sampler.ready(worker.queue()) == 0;
            }
            if (done) {
                return;
            }
            sleep(Duration.ofMillis(500));
        }
        log.warn("Workers had not caught up after {}: {} of {} applied", patience, caughtUp, accepted);
    }

    private static long takenUnits(Map<String, Long> before, Map<String, Long> now) {
        return before.entrySet().stream().mapToLong(level -> level.getValue() - now.getOrDefault(level.getKey(), level.getValue())).sum();
    }

    private static void checkEqual(List<String> problems, String what, long actual, long expected) {
        if (actual != expected) {
            problems.add(what + ": " + actual + ", expected " + expected);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
