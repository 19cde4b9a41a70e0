package dev.flashsale.order.outbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bookkeeping of the rows on their way, alone: no broker, no database, no Spring, and a clock the test moves. What
 * the after-commit publisher and the relay may each do with a row, at each step of its way.
 */
class RowsOnTheirWayTests {

    private static final Duration CONFIRM_TIMEOUT = Duration.ofSeconds(3);

    private final AtomicLong clock = new AtomicLong(1_000_000);
    private final RowsOnTheirWay rows = new RowsOnTheirWay(CONFIRM_TIMEOUT, clock::get);
    private final List<List<Long>> marks = new ArrayList<>();

    @Test
    void aRowIsTakenOnceWhoeverAsks() {
        assertThat(rows.takeForSender(1)).isTrue();
        assertThat(rows.takeForSender(1)).as("taken twice by the publisher").isFalse();
        assertThat(rows.claimForRelay(1)).as("taken by the relay while the sender has it").isFalse();

        assertThat(rows.claimForRelay(2)).isTrue();
        assertThat(rows.claimForRelay(2)).as("claimed twice by the relay").isFalse();
        assertThat(rows.takeForSender(2)).as("taken by the publisher while the relay has it").isFalse();
    }

    @Test
    void aRowWaitingForTheSenderThreadIsNeverTakenOverHoweverLongItWaits() {
        rows.takeForSender(1);

        clock.addAndGet(CONFIRM_TIMEOUT.multipliedBy(100).toNanos());

        assertThat(rows.claimForRelay(1)).isFalse();
    }

    @Test
    void aConfirmedRowStaysOnItsWayUntilItsMarkHasCommitted() {
        rows.takeForSender(1);
        rows.sent(1);
        rows.confirmed(1);
        assertThat(rows.claimForRelay(1)).as("confirmed, not yet marked").isFalse();

        assertThat(rows.markConfirmed(marks::add)).isEqualTo(1);

        assertThat(marks).containsExactly(List.of(1L));
        assertThat(rows.markConfirmed(marks::add)).as("marked once").isZero();
        assertThat(marks).hasSize(1);
        assertThat(rows.claimForRelay(1)).as("no longer on its way").isTrue();
    }

    @Test
    void aMarkThatFailsLeavesItsRowsOnTheirWayForTheNextMark() {
        rows.takeForSender(1);
        rows.sent(1);
        rows.confirmed(1);

        assertThatThrownBy(() -> rows.markConfirmed(ids -> {
            throw new IllegalStateException("database away");
        })).isInstanceOf(IllegalStateException.class);

        assertThat(rows.claimForRelay(1)).isFalse();
        assertThat(rows.markConfirmed(marks::add)).isEqualTo(1);
        assertThat(marks).containsExactly(List.of(1L));
    }

    @Test
    void aMarkTakesAtMostOneBatchOfRows() {
        for (long id = 0; id < RowsOnTheirWay.MARK_BATCH + 1; id++) {
            rows.takeForSender(id);
            rows.sent(id);
            rows.confirmed(id);
        }

        assertThat(rows.markConfirmed(marks::add)).isEqualTo(RowsOnTheirWay.MARK_BATCH);
        assertThat(rows.markConfirmed(marks::add)).isEqualTo(1);
    }

    @Test
    void aRowLetGoAfterANackOrAReturnIsTheRelaysToTake() {
        rows.takeForSender(1);
        rows.sent(1);

        rows.letGo(1);

        assertThat(rows.claimForRelay(1)).isTrue();
    }

    @Test
    void aRowSentLongerAgoThanTheConfirmTimeoutIsTakenOverByTheRelayOnce() {
        rows.takeForSender(1);
        rows.sent(1);

        clock.addAndGet(CONFIRM_TIMEOUT.toNanos());
        assertThat(rows.claimForRelay(1)).as("at the timeout: its confirm may still come").isFalse();

        clock.addAndGet(1);
        assertThat(rows.claimForRelay(1)).as("past the timeout").isTrue();
        assertThat(rows.claimForRelay(1)).as("its claim is the relay's now, and its timeout starts again").isFalse();

        clock.addAndGet(CONFIRM_TIMEOUT.toNanos() + 1);
        assertThat(rows.claimForRelay(1)).as("the relay's own send unconfirmed past the timeout").isTrue();
    }

    @Test
    void aRowMarkedBetweenTheRelaysQueryAndItsClaimIsClaimedOnlyAfterItsMark() {
        // The after-commit publisher's row, confirmed: the relay's query saw it unpublished a moment before the mark.
        rows.takeForSender(1);
        rows.sent(1);
        rows.confirmed(1);
        assertThat(rows.claimForRelay(1)).as("before the mark commits: refused, the relay sends nothing").isFalse();

        // After the mark: the claim succeeds, and the relay's second look at the table finds the row published.
        rows.markConfirmed(marks::add);
        assertThat(rows.claimForRelay(1)).isTrue();
        rows.letGo(1);

        assertThat(rows.claimForRelay(1)).as("the relay let go of its claim").isTrue();
    }
}
