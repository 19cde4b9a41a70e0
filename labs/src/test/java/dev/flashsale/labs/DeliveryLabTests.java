package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.flashsale.labs.DeliveryLab.Finding;
import dev.flashsale.labs.DeliveryLab.Mode;
import org.junit.jupiter.api.Test;

class DeliveryLabTests {

    @Test
    void rowFirstShowsItsBreakageOnlyWhenAnOrderWasLost() {
        Finding lost = DeliveryLab.finding(Mode.ROW_FIRST, tally(199, List.of(), List.of(63)), 3, 0);
        Finding nothingLost = DeliveryLab.finding(Mode.ROW_FIRST, tally(200, List.of(), List.of()), 3, 0);

        assertThat(lost.shown()).isTrue();
        assertThat(lost.line()).startsWith("lost: ").contains("order 63 found its dedup row");
        assertThat(nothingLost.shown()).isFalse();
    }

    @Test
    void effectFirstShowsItsBreakageOnlyWhenAnOrderWasAppliedTwice() {
        Finding twice = DeliveryLab.finding(Mode.EFFECT_FIRST, tally(199, List.of(63), List.of()), 2, 0);
        Finding once = DeliveryLab.finding(Mode.EFFECT_FIRST, tally(200, List.of(), List.of()), 3, 0);

        assertThat(twice.shown()).isTrue();
        assertThat(twice.line()).startsWith("applied twice: ").contains("order 63 found no dedup row");
        assertThat(once.shown()).isFalse();
    }

    @Test
    void aQueueNotDrainedShowsNothing() {
        assertThat(DeliveryLab.finding(Mode.ROW_FIRST, tally(199, List.of(), List.of(63)), 3, 5).shown()).isFalse();
    }

    /** Orders 1..200: {@code once} applied once, those in {@code twice} applied twice, those in {@code lost} never. */
    private static OrderDatabase.Tally tally(int once, List<Integer> twice, List<Integer> lost) {
        return new OrderDatabase.Tally(once + 2 * twice.size(), once, twice, lost, List.of(), List.of());
    }
}
