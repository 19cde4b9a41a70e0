package dev.flashsale.system;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The end-to-end check: every accepted order applied by every worker, and each exactly once. Effects are
 * compared with a {@link Baseline} taken before the orders were placed, so that tests can share one system
 * and survive worker restarts (which reset the in-memory counters).
 */
final class ExactlyOnce {

    static final List<Service> WORKERS = List.of(Service.EMAIL_WORKER, Service.INVENTORY_WORKER, Service.ANALYTICS_WORKER);

    private ExactlyOnce() {
    }

    /** What the workers' effects amounted to before a test placed its orders. */
    record Baseline(int stockLeft, long analyticsOrders, long analyticsUnits, Map<String, Long> mailsPerOrder) {

        static Baseline take(FlashSaleSystem system, GreenMail smtp, Checkout client) {
            JsonNode summary = client.get(system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/summary"));
            long units = 0;
            for (JsonNode sku : summary.get("perSku")) {
                units += sku.get("units").asLong();
            }
            return new Baseline(ExactlyOnce.stockLeft(system, client), summary.get("orders").asLong(), units, mailsReceivedPerOrder(smtp));
        }
    }

    /**
     * Waits until every worker has applied every accepted order, then checks that each was applied once:
     * the set of orders each worker applied contains the accepted ones, and the effects grew by exactly
     * the accepted orders (stock taken, units and orders counted, one mail per order and no other mail).
     */
    static void assertEveryWorkerAppliedEachOrderOnce(FlashSaleSystem system, GreenMail smtp, Map<UUID, Integer> accepted,
            Checkout client, Baseline before) {
        for (Service worker : WORKERS) {
            Set<UUID> waiting = new HashSet<>(accepted.keySet());
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                waiting.removeIf(orderId -> client.get(system.uri(worker).resolve("/api/processed/" + orderId)) != null);
                assertThat(waiting).as("orders not yet applied by %s", worker.module()).isEmpty();
            });
            JsonNode stats = client.get(system.uri(worker).resolve("/api/stats"));
            assertThat(stats.get("deadLettered").asLong()).as("dead letters of %s", worker.module()).isZero();
            // The counter starts again with a restarted process; the parked ones are in its database.
            assertThat(stats.get("deadLettersParked").asLong()).as("dead letters parked by %s", worker.module()).isZero();
        }

        int units = accepted.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(stockLeft(system, client)).as("SKU-1 left after the reservations").isEqualTo(before.stockLeft() - units);
        JsonNode summary = client.get(system.uri(Service.ANALYTICS_WORKER).resolve("/api/analytics/summary"));
        long unitsCounted = 0;
        for (JsonNode sku : summary.get("perSku")) {
            unitsCounted += sku.get("units").asLong();
        }
        assertThat(summary.get("orders").asLong()).as("orders counted by analytics").isEqualTo(before.analyticsOrders() + accepted.size());
        assertThat(unitsCounted).as("units counted by analytics").isEqualTo(before.analyticsUnits() + units);

        int mailsBefore = before.mailsPerOrder().values().stream().mapToInt(Long::intValue).sum();
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= mailsBefore + accepted.size());
        Map<String, Long> after = mailsReceivedPerOrder(smtp);
        Map<String, Long> newMails = after.entrySet().stream()
                .filter(entry -> entry.getValue() > before.mailsPerOrder().getOrDefault(entry.getKey(), 0L))
                .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue() - before.mailsPerOrder().getOrDefault(entry.getKey(), 0L)));
        assertThat(newMails.keySet()).as("orders confirmed by mail")
                .isEqualTo(accepted.keySet().stream().map(UUID::toString).collect(Collectors.toSet()));
        assertThat(newMails.values()).as("mails per order").allMatch(count -> count == 1);
    }

    /** Mails received so far, counted per order (GreenMail lists them per mailbox, not in order of arrival). */
    static Map<String, Long> mailsReceivedPerOrder(GreenMail smtp) {
        return Arrays.stream(smtp.getReceivedMessages()).map(ExactlyOnce::orderIdOf)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /** Units of SKU-1 the inventory-worker has left. */
    static int stockLeft(FlashSaleSystem system, Checkout client) {
        return client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stock/SKU-1")).get("available").asInt();
    }

    private static String orderIdOf(MimeMessage mail) {
        try {
            String messageId = mail.getMessageID();
            return messageId.substring("<order-".length(), messageId.indexOf('@'));
        }
        catch (MessagingException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
