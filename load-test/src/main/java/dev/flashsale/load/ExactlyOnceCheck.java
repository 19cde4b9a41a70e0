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

import dev.flashsale.system.ExactlyOnceAccount;
import dev.flashsale.system.FlashSaleSystem;
import dev.flashsale.system.Service;
import dev.flashsale.system.WorkerEvidence;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a stream of checkouts, waits until the workers have caught up, then checks that every order the checkout
 * accepted was applied exactly once by every worker, and that nothing it refused was applied: the counting is
 * {@link ExactlyOnceAccount}'s (the one the system tests use), between a {@link Baseline} taken before the stream and
 * the workers' evidence after it, so that several streams can run against one system. What this class adds is the
 * benchmark's: waiting on the workers' counters and queues, and each worker's end-to-end delays and drain time.
 */
final class ExactlyOnceCheck {

    private static final Logger log = LoggerFactory.getLogger(ExactlyOnceCheck.class);

    /**
     * What the workers had done before a stream started.
     *
     * @param evidence the workers' evidence, for the account
     * @param appliedCounters each worker's applied counter, for the wait
     */
    record Baseline(ExactlyOnceAccount.Snapshot evidence, Map<String, Long> appliedCounters) {
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

    private final FlashSaleSystem system;
    private final WorkerApis workers;
    private final Mailbox mailbox;
    private final QueueSampler sampler;

    ExactlyOnceCheck(FlashSaleSystem system, WorkerApis workers, Mailbox mailbox, QueueSampler sampler) {
        this.system = system;
        this.workers = workers;
        this.mailbox = mailbox;
        this.sampler = sampler;
    }

    Baseline baseline() {
        Map<String, Long> counters = new HashMap<>();
        workers.all().forEach(worker -> counters.put(worker.name(), worker.appliedSinceStart()));
        return new Baseline(evidence(), counters);
    }

    /**
     * Waits (up to {@code patience}) until every worker has applied as many orders as were accepted and its queue
     * is empty, then does the accounting.
     */
    Result verify(Map<UUID, Accepted> accepted, Baseline before, Instant loadEnded, Duration patience) {
        awaitCaughtUp(accepted.size(), before, patience);
        Map<UUID, Integer> units = new HashMap<>();
        accepted.forEach((id, order) -> units.put(id, order.units().values().stream().mapToInt(Integer::intValue).sum()));
        ExactlyOnceAccount account = ExactlyOnceAccount.of(units, before.evidence(), evidence());
        List<WorkerResult> results = account.workers().stream()
                .map(worker -> withDelays(worker, account.appliedAt(worker.worker()), accepted, loadEnded)).toList();
        List<String> problems = account.problems();
        log.info("Exactly-once check of {} accepted orders: {}; mails sent again after an unanswered send: {} (of {} unanswered)",
                accepted.size(), problems.isEmpty() ? "every worker applied each once" : problems, account.sentAgain(), account.unanswered());
        return new Result(accepted.size(), results, problems);
    }

    /** A worker's account with its end-to-end delays: from each accepted order's request to the worker's commit. */
    private static WorkerResult withDelays(ExactlyOnceAccount.WorkerAccount account, Map<UUID, Instant> appliedAt,
            Map<UUID, Accepted> accepted, Instant loadEnded) {
        List<Long> endToEnd = new ArrayList<>();
        List<Long> expressEndToEnd = new ArrayList<>();
        long lastCommit = 0;
        for (Map.Entry<UUID, Accepted> order : accepted.entrySet()) {
            Instant at = appliedAt.get(order.getKey());
            if (at != null) {
                (order.getValue().express() ? expressEndToEnd : endToEnd).add(at.toEpochMilli() - order.getValue().sentAt());
                lastCommit = Math.max(lastCommit, at.toEpochMilli());
            }
        }
        return new WorkerResult(account.worker().module(), account.applied(), account.lost(), account.duplicated(), account.sentAgain(),
                account.unexpected().size(), Percentiles.of(endToEnd), Percentiles.of(expressEndToEnd),
                lastCommit == 0 ? 0 : Math.max(0, lastCommit - loadEnded.toEpochMilli()));
    }

    /**
     * The orders a worker has applied since the baseline, once every worker has applied {@code accepted} (or patience
     * ran out): for a client that does not keep the answers' order ids (hey).
     */
    Set<UUID> appliedSince(Baseline before, Service worker, int accepted, Duration patience) {
        awaitCaughtUp(accepted, before, patience);
        Set<UUID> applied = new HashSet<>(WorkerEvidence.applied(system.uri(worker)).keySet());
        applied.removeAll(before.evidence().applied().get(worker).keySet());
        return applied;
    }

    private ExactlyOnceAccount.Snapshot evidence() {
        return ExactlyOnceAccount.Snapshot.take(system, mailbox.perOrder());
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
