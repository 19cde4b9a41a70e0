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
import tools.jackson.databind.JsonNode;

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
 * number of unanswered sends the worker counted; a copy beyond that bound is applied twice.
 */
final class Accounting {

    private static final Logger log = LoggerFactory.getLogger(Accounting.class);

    private static final int PAGE = 10_000;

    private final FlashSaleSystem system;
    private final GreenMail smtp;
    private final Checkout client;
    private final Map<Service, Set<UUID>> appliedBefore = new EnumMap<>(Service.class);
    private final int stockBefore;
    private final long ordersCountedBefore;
    private final Map<String, Long> mailsBefore;
    private final long unansweredBefore;

    private Accounting(FlashSaleSystem system, GreenMail smtp, Checkout client) {
        this.system = system;
        this.smtp = smtp;
        this.client = client;
        for (Service worker : ExactlyOnce.WORKERS) {
            appliedBefore.put(worker, applied(worker));
        }
        this.stockBefore = ExactlyOnce.stockLeft(system, client);
        this.ordersCountedBefore = client.get(system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/summary")).get("orders").asLong();
        this.mailsBefore = ExactlyOnce.mailsReceivedPerOrder(smtp);
        this.unansweredBefore = unansweredSends();
    }

    /** Every accepted order applied by every worker, none twice, and none that nobody accepted. */
    static void assertNothingLostNorTwice(Report report, FixedRateLoad.Result result) {
        assertThat(result.accepted()).as("orders accepted").isNotEmpty();
        assertThat(report.lost()).as("lost: " + report.line()).isZero();
        assertThat(report.twice()).as("applied twice: " + report.line()).isZero();
        assertThat(report.unasked()).as("applied and never accepted: " + report.line()).isZero();
    }

    /** What the workers had applied before the test: taken while the system is idle. */
    static Accounting begin(FlashSaleSystem system, GreenMail smtp, Checkout client) {
        return new Accounting(system, smtp, client);
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
        Map<Service, Set<UUID>> newlyApplied = new EnumMap<>(Service.class);
        try {
            await().atMost(patience).pollInterval(Duration.ofMillis(500)).until(() -> {
                for (Service worker : ExactlyOnce.WORKERS) {
                    newlyApplied.put(worker, newlyApplied(worker));
                }
                return newlyApplied.values().stream().allMatch(applied -> applied.containsAll(accepted.keySet()));
            });
            // Mails are sent before the dedup row commits: by now the last ones have arrived, or they never will.
            await().atMost(Duration.ofSeconds(10)).until(() -> newMails().size() >= accepted.size());
        }
        catch (ConditionTimeoutException ex) {
            log.warn("{}: not everything was applied within {}", fault, patience);
            for (Service worker : ExactlyOnce.WORKERS) {
                if (!newlyApplied.getOrDefault(worker, Set.of()).containsAll(accepted.keySet())) {
                    log.warn("{} is behind; its threads: {}", worker.module(), system.process(worker).threadDump());
                }
            }
        }
        Map<Service, Integer> applied = new LinkedHashMap<>();
        int lost = 0;
        Set<UUID> unasked = new HashSet<>();
        for (Service worker : ExactlyOnce.WORKERS) {
            Set<UUID> mine = newlyApplied.getOrDefault(worker, Set.of());
            int appliedAccepted = (int) accepted.keySet().stream().filter(mine::contains).count();
            applied.put(worker, appliedAccepted);
            lost += accepted.size() - appliedAccepted;
            mine.stream().filter(orderId -> !accepted.containsKey(orderId)).forEach(unasked::add);
        }

        Map<String, Long> mails = newMails();
        long mailsBeyondOne = mails.values().stream().mapToLong(count -> Math.max(0, count - 1)).sum();
        long unanswered = unansweredSends() - unansweredBefore;
        long sentAgain = Math.min(mailsBeyondOne, Math.max(0, unanswered));
        int unitsOfApplied = accepted.entrySet().stream()
                .filter(order -> newlyApplied.getOrDefault(Service.INVENTORY_WORKER, Set.of()).contains(order.getKey()))
                .mapToInt(Map.Entry::getValue).sum();
        long stockTakenBeyond = Math.max(0, (stockBefore - ExactlyOnce.stockLeft(system, client)) - unitsOfApplied);
        long counted = client.get(system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/summary")).get("orders").asLong()
                - ordersCountedBefore;
        long countedBeyond = Math.max(0, counted - newlyApplied.getOrDefault(Service.ANALYTICS_WORKER, Set.of()).size());
        Report report = new Report(fault, offered, accepted.size(), refused, applied, lost,
                (mailsBeyondOne - sentAgain) + stockTakenBeyond + countedBeyond, sentAgain, unanswered, unasked.size());
        log.info("ACCOUNTING {}", report.line());
        return report;
    }

    /** The orders a worker applied since the test began. */
    Set<UUID> newlyApplied(Service worker) {
        Set<UUID> now = applied(worker);
        now.removeAll(appliedBefore.get(worker));
        return now;
    }

    /** Every order a worker has applied, a page at a time, in order-id order. */
    private Set<UUID> applied(Service worker) {
        Set<UUID> orders = new HashSet<>();
        UUID after = new UUID(0, 0);
        while (true) {
            JsonNode page = client.get(system.uri(worker).resolve("/api/processed?after=" + after + "&limit=" + PAGE));
            for (JsonNode processed : page) {
                after = UUID.fromString(processed.get("orderId").asString());
                orders.add(after);
            }
            if (page.size() < PAGE) {
                return orders;
            }
        }
    }

    /** The email worker's count of unanswered sends (its process is never restarted by the fault suite). */
    private long unansweredSends() {
        return client.get(system.uri(Service.EMAIL_WORKER).resolve("/api/stats")).path("workerCounts").path("unansweredSends").asLong();
    }

    /** Mails received since the test began, per order. */
    private Map<String, Long> newMails() {
        Map<String, Long> now = ExactlyOnce.mailsReceivedPerOrder(smtp);
        Map<String, Long> added = new LinkedHashMap<>();
        now.forEach((orderId, count) -> {
            long more = count - mailsBefore.getOrDefault(orderId, 0L);
            if (more > 0) {
                added.put(orderId, more);
            }
        });
        return added;
    }
}
