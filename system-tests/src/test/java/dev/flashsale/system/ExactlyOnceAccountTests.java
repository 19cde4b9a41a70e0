package dev.flashsale.system;

import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The exactly-once accounting on evidence made by hand: no system, no broker. */
class ExactlyOnceAccountTests {

    private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
    private static final UUID OLD = UUID.fromString("00000000-0000-0000-0000-000000000001");
    private static final UUID REFUSED = UUID.fromString("00000000-0000-0000-0000-0000000000ff");

    /** Before: one old order applied everywhere, 100 units in stock, one mail. */
    private final ExactlyOnceAccount.Snapshot before = snapshot(Set.of(OLD), Set.of(OLD), Set.of(OLD), 100, 1, 2, Map.of(OLD.toString(), 1L), 0);

    /** Accepted: A for 2 units, B for 3. */
    private final Map<UUID, Integer> accepted = Map.of(A, 2, B, 3);

    @Test
    void everyOrderAppliedOnceIsExactlyOnce() {
        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before,
                snapshot(Set.of(OLD, A, B), Set.of(OLD, A, B), Set.of(OLD, A, B), 95, 3, 7, mails(1, 1, 1), 0));

        assertThat(account.problems()).isEmpty();
        assertThat(account.lost()).isZero();
        assertThat(account.duplicated()).isZero();
        assertThat(account.unasked()).isEmpty();
        assertThat(account.workers()).allSatisfy(worker -> assertThat(worker.applied()).isEqualTo(2));
    }

    @Test
    void anOrderAWorkerNeverAppliedIsLostForThatWorkerAlone() {
        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before,
                snapshot(Set.of(OLD, A, B), Set.of(OLD, A), Set.of(OLD, A, B), 98, 3, 7, mails(1, 1, 1), 0));

        assertThat(account.of(Service.INVENTORY_WORKER).lost()).isEqualTo(1);
        assertThat(account.lost()).isEqualTo(1);
        assertThat(account.duplicated()).as("the stock taken is that of the order applied").isZero();
        assertThat(account.problems()).contains("inventory-worker never applied 1 accepted order(s)",
                "units taken from stock: 2, expected 5");
    }

    @Test
    void effectsBeyondOnceAreDuplicates() {
        // B's units taken twice, A counted twice by analytics, A's mail twice with no unanswered send.
        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before,
                snapshot(Set.of(OLD, A, B), Set.of(OLD, A, B), Set.of(OLD, A, B), 92, 4, 9, mails(1, 2, 1), 0));

        assertThat(account.of(Service.EMAIL_WORKER).duplicated()).isEqualTo(1);
        assertThat(account.of(Service.INVENTORY_WORKER).duplicated()).isEqualTo(3);
        assertThat(account.of(Service.ANALYTICS_WORKER).duplicated()).isEqualTo(1);
        assertThat(account.duplicated()).isEqualTo(5);
        assertThat(account.sentAgain()).isZero();
    }

    @Test
    void aSecondMailAfterAnUnansweredSendIsSentAgainNotDuplicatedUpToTheUnansweredSends() {
        ExactlyOnceAccount once = ExactlyOnceAccount.of(accepted, before,
                snapshot(Set.of(OLD, A, B), Set.of(OLD, A, B), Set.of(OLD, A, B), 95, 3, 7, mails(1, 2, 2), 1));

        assertThat(once.sentAgain()).isEqualTo(1);
        assertThat(once.unanswered()).isEqualTo(1);
        assertThat(once.of(Service.EMAIL_WORKER).duplicated()).as("the copy beyond the unanswered sends").isEqualTo(1);
        assertThat(once.problems()).contains("email-worker applied 1 order(s) more than once");
    }

    @Test
    void anOrderNobodyAcceptedIsUnasked() {
        ExactlyOnceAccount account = ExactlyOnceAccount.of(accepted, before,
                snapshot(Set.of(OLD, A, B, REFUSED), Set.of(OLD, A, B), Set.of(OLD, A, B), 95, 3, 7, mails(1, 1, 1), 0));

        assertThat(account.unasked()).containsExactly(REFUSED);
        assertThat(account.of(Service.EMAIL_WORKER).unexpected()).containsExactly(REFUSED);
        assertThat(account.problems()).contains("email-worker applied 1 order(s) the checkout never accepted");
    }

    private static Map<String, Long> mails(long old, long a, long b) {
        Map<String, Long> mails = new LinkedHashMap<>();
        mails.put(OLD.toString(), old);
        mails.put(A.toString(), a);
        mails.put(B.toString(), b);
        return mails;
    }

    private static ExactlyOnceAccount.Snapshot snapshot(Set<UUID> email, Set<UUID> inventory, Set<UUID> analytics, long stock,
            long analyticsOrders, long analyticsUnits, Map<String, Long> mails, long unanswered) {
        Map<Service, Map<UUID, Instant>> applied = new HashMap<>();
        applied.put(Service.EMAIL_WORKER, at(email));
        applied.put(Service.INVENTORY_WORKER, at(inventory));
        applied.put(Service.ANALYTICS_WORKER, at(analytics));
        return new ExactlyOnceAccount.Snapshot(applied, stock, new WorkerEvidence.AnalyticsTotals(analyticsOrders, analyticsUnits),
                mails, unanswered);
    }

    private static Map<UUID, Instant> at(Set<UUID> orders) {
        Map<UUID, Instant> applied = new HashMap<>();
        orders.forEach(order -> applied.put(order, Instant.EPOCH));
        return applied;
    }
}
