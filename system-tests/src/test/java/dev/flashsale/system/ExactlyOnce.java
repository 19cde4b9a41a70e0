package dev.flashsale.system;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
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
 * compared with a baseline ({@link ExactlyOnceAccount.Snapshot}) taken before the orders were placed, so that tests can
 * share one system and survive worker restarts (which reset the in-memory counters). Stricter than the fault tests'
 * {@link Accounting}: no mail may be sent twice, not even after an unanswered send.
 */
final class ExactlyOnce {

    private ExactlyOnce() {
    }

    /** What the workers' effects amounted to before a test placed its orders. */
    static ExactlyOnceAccount.Snapshot baseline(FlashSaleSystem system, GreenMail smtp) {
        return ExactlyOnceAccount.Snapshot.take(system, mailsReceivedPerOrder(smtp));
    }

    /**
     * Waits until every worker has applied every accepted order, then checks that each was applied once:
     * the set of orders each worker applied contains the accepted ones, and the effects grew by exactly
     * the accepted orders (stock taken, units and orders counted, one mail per order and no other mail).
     */
    static void assertEveryWorkerAppliedEachOrderOnce(FlashSaleSystem system, GreenMail smtp, Map<UUID, Integer> accepted,
            Checkout client, ExactlyOnceAccount.Snapshot before) {
        for (Service worker : ExactlyOnceAccount.WORKERS) {
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
        int mailsBefore = before.mailsPerOrder().values().stream().mapToInt(Long::intValue).sum();
        await().atMost(Duration.ofSeconds(30)).until(() -> smtp.getReceivedMessages().length >= mailsBefore + accepted.size());

        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before, baseline(system, smtp));
        int units = accepted.values().stream().mapToInt(Integer::intValue).sum();
        assertThat(account.problems()).as("the exactly-once account").isEmpty();
        assertThat(before.stockUnits() - account.now().stockUnits()).as("units taken from stock by the reservations").isEqualTo(units);
        assertThat(account.now().analytics().orders()).as("orders counted by analytics").isEqualTo(before.analytics().orders() + accepted.size());
        assertThat(account.now().analytics().units()).as("units counted by analytics").isEqualTo(before.analytics().units() + units);
        assertThat(account.newMails().keySet()).as("orders confirmed by mail")
                .isEqualTo(accepted.keySet().stream().map(UUID::toString).collect(Collectors.toSet()));
        assertThat(account.newMails().values()).as("mails per order").allMatch(count -> count == 1);
    }

    /** Mails received so far, counted per order (GreenMail lists them per mailbox, not in order of arrival). */
    static Map<String, Long> mailsReceivedPerOrder(GreenMail smtp) {
        return Arrays.stream(smtp.getReceivedMessages()).map(ExactlyOnce::orderIdOf)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
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
