package dev.flashsale.system;

import java.time.Duration;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault tests' common ending: of the orders a load offered, how many were accepted, how many each worker
 * applied, how many were lost (accepted and not applied by some worker) and how many applied twice (an effect
 * beyond once: stock taken twice, an order counted twice, a second mail that no unanswered send explains), compared
 * with what the system had done before the test began. Also the orders applied that nobody had accepted
 * ({@code unasked}): a refused request that was stored and published after all.
 *
 * <p>A second copy of a mail is not always a fault of the system: when SMTP's reply to a mail's data is lost, the
 * email worker cannot know whether the server took it, sends it again with the same {@code Message-ID}, and counts an
 * unanswered send. Such copies are counted on their own line ({@code sent again after an unanswered send}), up to the
 * number of unanswered sends the worker counted; a copy beyond that bound is applied twice. The counting is
 * {@link ExactlyOnceAccount}'s, the one the end-to-end tests and the benchmark use; this class waits and words it.
 */
final class Accounting {

    private static final Logger log = LoggerFactory.getLogger(Accounting.class);

    private final FlashSaleSystem system;
    private final GreenMail smtp;
    private final ExactlyOnceAccount.Snapshot before;

    private Accounting(FlashSaleSystem system, GreenMail smtp) {
        this.system = system;
        this.smtp = smtp;
        this.before = snapshot();
    }

    /** Every accepted order applied by every worker, none twice, and none that nobody accepted. */
    static void assertNothingLostNorTwice(Report report, FixedRateLoad.Result result) {
        assertThat(result.accepted()).as("orders accepted").isNotEmpty();
        assertThat(report.lost()).as("lost: " + report.line()).isZero();
        assertThat(report.twice()).as("applied twice: " + report.line()).isZero();
        assertThat(report.unasked()).as("applied and never accepted: " + report.line()).isZero();
    }

    /** What the workers had applied before the test: taken while the system is idle. */
    static Accounting begin(FlashSaleSystem system, GreenMail smtp) {
        return new Accounting(system, smtp);
    }

    /**
     * The accounting line of one fault test.
     *
     * @param fault what was broken
     * @param offered orders offered
     * @param accepted orders accepted (202) with their quantities
     * @param refused orders refused (any other answer, or none)
     * @param applied per worker, how many of the accepted orders it applied
     * @param lost accepted orders some worker never applied, counted once per worker
     * @param twice effects beyond once: units of stock taken beyond the orders', orders counted by analytics beyond those
     *        applied, mails beyond one per order that the unanswered sends do not account for
     * @param sentAgain mails beyond one per order that followed an unanswered send: SMTP's at-least-once edge
     * @param unanswered unanswered sends the email worker counted meanwhile: the most {@code sentAgain} can be
     * @param unasked orders applied by some worker that no accepted request placed
     */
    record Report(String fault, int offered, int accepted, int refused, Map<Service, Integer> applied, int lost, long twice,
            long sentAgain, long unanswered, int unasked) {

        String line() {
            return ("%s: offered %d, accepted %d, refused %d, applied %s, lost %d, applied twice %d, "
                    + "sent again after an unanswered send %d (of %d unanswered), unasked %d").formatted(fault, offered, accepted, refused,
                    applied.entrySet().stream().map(entry -> entry.getKey().module() + " " + entry.getValue())
                            .collect(Collectors.joining(", ", "[", "]")), lost, twice, sentAgain, unanswered, unasked);
        }
    }

    /**
     * Waits (up to {@code patience}) until every worker has applied every accepted order, then counts. It never
     * fails by itself: the test asserts on the report, so that a failure still prints the whole line.
     */
    Report settle(String fault, int offered, Map<UUID, Integer> accepted, int refused, Duration patience) {
        awaitApplied(fault, accepted, patience);
        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before, snapshot());
        Map<Service, Integer> applied = new LinkedHashMap<>();
        account.workers().forEach(worker -> applied.put(worker.worker(), (int) worker.applied()));
        Report report = new Report(fault, offered, accepted.size(), refused, applied, (int) account.lost(), account.duplicated(),
                account.sentAgain(), account.unanswered(), account.unasked().size());
        log.info("ACCOUNTING {}", report.line());
        return report;
    }

    /** Until every worker has applied every accepted order and their mails have arrived, or patience runs out (logged). */
    private void awaitApplied(String fault, Map<UUID, Integer> accepted, Duration patience) {
        Map<Service, Set<UUID>> newlyApplied = new EnumMap<>(Service.class);
        try {
            await().atMost(patience).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (Service worker : ExactlyOnceAccount.WORKERS) {
                    newlyApplied.put(worker, newlyApplied(worker));
                }
                return newlyApplied.values().stream().allMatch(applied -> applied.containsAll(accepted.keySet()));
            });
            // Mails are sent before the dedup row commits: by now the last ones have arrived, or they never will.
            await().atMost(Duration.ofSeconds(10)).until(() -> newMails() >= accepted.size());
        }
        catch (ConditionTimeoutException ex) {
            log.warn("{}: not everything was applied within {}", fault, patience);
            for (Service worker : ExactlyOnceAccount.WORKERS) {
                if (!newlyApplied.getOrDefault(worker, Set.of()).containsAll(accepted.keySet())) {
                    log.warn("{} is behind; its threads: {}", worker.module(), system.process(worker).threadDump());
                }
            }
        }
    }

    /** The orders a worker applied since the test began. */
    Set<UUID> newlyApplied(Service worker) {
        Set<UUID> now = new HashSet<>(WorkerEvidence.applied(system.uri(worker)).keySet());
        now.removeAll(before.applied().get(worker).keySet());
        return now;
    }

    /** Orders with a mail received since the test began. */
    private long newMails() {
        Map<String, Long> now = ExactlyOnce.mailsReceivedPerOrder(smtp);
        return now.entrySet().stream().filter(entry -> entry.getValue() > before.mailsPerOrder().getOrDefault(entry.getKey(), 0L)).count();
    }

    private ExactlyOnceAccount.Snapshot snapshot() {
        return ExactlyOnceAccount.Snapshot.take(system, ExactlyOnce.mailsReceivedPerOrder(smtp));
    }
}
