package dev.flashsale.system;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The exactly-once accounting of a run, the one the end-to-end tests, the fault tests and the benchmark share: of the
 * orders the checkout accepted, how many each worker applied, lost (accepted and never applied), applied more than once
 * (an effect beyond once) or applied without their being accepted, between two {@link Snapshot}s of the workers'
 * evidence. It counts and never fails: each caller asserts (or reports) on what it needs.
 *
 * <p>Each worker is checked against its own evidence: its dedup table says which orders it applied; its effect says
 * how often. Units taken from stock beyond those of the orders the inventory worker applied can only be orders reserved
 * twice; orders analytics counted beyond those it applied, orders counted twice; a mail beyond one per order, a
 * second send. Such a second mail is not always a fault of the system: when SMTP's reply to a mail's data is lost, the
 * email worker cannot know whether the server took it, sends it again with the same {@code Message-ID}, and counts an
 * unanswered send. Those copies are counted apart ({@link #sentAgain()}), up to the unanswered sends it counted; a copy
 * beyond that bound is a duplicate.
 */
public final class ExactlyOnceAccount {

    /** The workers whose effects are counted, in the order every report lists them. */
    public static final List<Service> WORKERS = List.of(Service.EMAIL_WORKER, Service.INVENTORY_WORKER, Service.ANALYTICS_WORKER);

    /**
     * The workers' evidence at one moment.
     *
     * @param applied per worker, the orders in its dedup table with when each committed
     * @param stockUnits units left in stock, all SKUs together
     * @param analytics the analytics worker's totals
     * @param mailsPerOrder mails the SMTP server holds, per order id
     * @param unansweredSends the email worker's unanswered sends, over its processes (since each started)
     */
    public record Snapshot(Map<Service, Map<UUID, Instant>> applied, long stockUnits, WorkerEvidence.AnalyticsTotals analytics,
            Map<String, Long> mailsPerOrder, long unansweredSends) {

        /** Reads every worker of a running system; the mails are the caller's SMTP server's, counted per order. */
        public static Snapshot take(FlashSaleSystem system, Map<String, ? extends Number> mailsPerOrder) {
            Map<Service, Map<UUID, Instant>> applied = new LinkedHashMap<>();
            WORKERS.forEach(worker -> applied.put(worker, WorkerEvidence.applied(system.uri(worker))));
            long stock = WorkerEvidence.stock(system.uri(Service.INVENTORY_WORKER)).values().stream().mapToLong(Long::longValue).sum();
            long unanswered = system.processes(Service.EMAIL_WORKER).stream()
                    .mapToLong(process -> WorkerEvidence.unansweredSends(process.baseUri())).sum();
            Map<String, Long> mails = new LinkedHashMap<>();
            mailsPerOrder.forEach((orderId, count) -> mails.put(orderId, count.longValue()));
            return new Snapshot(applied, stock, WorkerEvidence.analytics(system.uri(Service.ANALYTICS_WORKER)), mails, unanswered);
        }
    }

    /**
     * One worker's account.
     *
     * @param applied accepted orders it applied
     * @param lost accepted orders it never applied
     * @param duplicated orders whose effect it applied more than once (as far as its effect can tell)
     * @param sentAgain the email worker's copies that followed an unanswered send; 0 for the others
     * @param unexpected orders it applied that the checkout never accepted
     */
    public record WorkerAccount(Service worker, long applied, long lost, long duplicated, long sentAgain, Set<UUID> unexpected) {
    }

    private final Map<UUID, Integer> accepted;
    private final Snapshot before;
    private final Snapshot now;
    private final long sentAgain;
    private final long mailsBeyondOne;
    private final List<WorkerAccount> workers = new ArrayList<>();

    private ExactlyOnceAccount(Map<UUID, Integer> accepted, Snapshot before, Snapshot now) {
        this.accepted = Map.copyOf(accepted);
        this.before = before;
        this.now = now;
        this.mailsBeyondOne = newMails().values().stream().mapToLong(count -> Math.max(0, count - 1)).sum();
        this.sentAgain = Math.min(mailsBeyondOne, Math.max(0, unanswered()));
        WORKERS.forEach(worker -> workers.add(account(worker)));
    }

    /**
     * Counts.
     *
     * @param accepted the orders the checkout accepted, with the units each took (all SKUs together)
     */
    public static ExactlyOnceAccount of(Map<UUID, Integer> accepted, Snapshot before, Snapshot now) {
        return new ExactlyOnceAccount(accepted, before, now);
    }

    /** The evidence counted from. */
    public Snapshot before() {
        return before;
    }

    /** The evidence counted to. */
    public Snapshot now() {
        return now;
    }

    public List<WorkerAccount> workers() {
        return List.copyOf(workers);
    }

    public WorkerAccount of(Service worker) {
        return workers.get(WORKERS.indexOf(worker));
    }

    /** The orders a worker applied between the two snapshots. */
    public Set<UUID> newlyApplied(Service worker) {
        Set<UUID> applied = new HashSet<>(now.applied().get(worker).keySet());
        applied.removeAll(before.applied().get(worker).keySet());
        return applied;
    }

    /** When each order a worker has applied committed, as of the later snapshot. */
    public Map<UUID, Instant> appliedAt(Service worker) {
        return now.applied().get(worker);
    }

    /** Accepted orders some worker never applied, counted once per worker. */
    public long lost() {
        return workers.stream().mapToLong(WorkerAccount::lost).sum();
    }

    /** Effects beyond once, every worker's together. */
    public long duplicated() {
        return workers.stream().mapToLong(WorkerAccount::duplicated).sum();
    }

    /** Mails beyond one per order that followed an unanswered send: SMTP's at-least-once edge. */
    public long sentAgain() {
        return sentAgain;
    }

    /** Unanswered sends the email worker counted between the snapshots: the most {@link #sentAgain()} can be. */
    public long unanswered() {
        return now.unansweredSends() - before.unansweredSends();
    }

    /** Orders some worker applied that no accepted request placed (a refused request stored and published after all). */
    public Set<UUID> unasked() {
        Set<UUID> unasked = new HashSet<>();
        workers.forEach(worker -> unasked.addAll(worker.unexpected()));
        return unasked;
    }

    /** Mails the SMTP server received between the snapshots, per order. */
    public Map<String, Long> newMails() {
        Map<String, Long> added = new LinkedHashMap<>();
        now.mailsPerOrder().forEach((orderId, count) -> {
            long more = count - before.mailsPerOrder().getOrDefault(orderId, 0L);
            if (more > 0) {
                added.put(orderId, more);
            }
        });
        return added;
    }

    /**
     * Every way the run missed exactly-once, in words: a worker's losses, duplicates and unexpected orders, and effects
     * that do not add up to exactly the accepted orders (fewer is a loss, more a duplicate or a refused order). Empty
     * when every worker applied each accepted order once.
     */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        for (WorkerAccount worker : workers) {
            String name = worker.worker().module();
            addIf(problems, worker.lost() > 0, name + " never applied " + worker.lost() + " accepted order(s)");
            addIf(problems, worker.duplicated() > 0, name + " applied " + worker.duplicated() + " order(s) more than once");
            addIf(problems, !worker.unexpected().isEmpty(), name + " applied " + worker.unexpected().size() + " order(s) the checkout never accepted");
        }
        long units = accepted.values().stream().mapToLong(Integer::longValue).sum();
        checkEqual(problems, "units taken from stock", before.stockUnits() - now.stockUnits(), units);
        checkEqual(problems, "orders counted by analytics", now.analytics().orders() - before.analytics().orders(), accepted.size());
        checkEqual(problems, "units counted by analytics", now.analytics().units() - before.analytics().units(), units);
        long mails = newMails().values().stream().mapToLong(Long::longValue).sum();
        checkEqual(problems, "mails sent (beyond the copies after unanswered sends)", mails - sentAgain, accepted.size());
        return problems;
    }

    private WorkerAccount account(Service worker) {
        Set<UUID> applied = newlyApplied(worker);
        long appliedAccepted = accepted.keySet().stream().filter(applied::contains).count();
        Set<UUID> unexpected = new HashSet<>(applied);
        unexpected.removeAll(accepted.keySet());
        long duplicated = duplicated(worker, applied);
        return new WorkerAccount(worker, appliedAccepted, accepted.size() - appliedAccepted, duplicated,
                worker == Service.EMAIL_WORKER ? sentAgain : 0, unexpected);
    }

    /** Effects beyond once, as far as a worker's effect can tell. */
    private long duplicated(Service worker, Set<UUID> applied) {
        return switch (worker) {
            case EMAIL_WORKER -> mailsBeyondOne - sentAgain;
            case INVENTORY_WORKER -> {
                long unitsOfApplied = accepted.entrySet().stream().filter(order -> applied.contains(order.getKey()))
                        .mapToLong(Map.Entry::getValue).sum();
                yield Math.max(0, (before.stockUnits() - now.stockUnits()) - unitsOfApplied);
            }
            case ANALYTICS_WORKER -> Math.max(0, (now.analytics().orders() - before.analytics().orders()) - applied.size());
            default -> 0;
        };
    }

    private static void addIf(List<String> problems, boolean condition, String problem) {
        if (condition) {
            problems.add(problem);
        }
    }

    private static void checkEqual(List<String> problems, String what, long actual, long expected) {
        addIf(problems, actual != expected, what + ": " + actual + ", expected " + expected);
    }
}
