package dev.flashsale.worker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/** The rate cap's arithmetic, on a clock the test moves: no test here waits. */
class RateCapTests {

    private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong now = new AtomicLong(1_000 * MILLI);

    @Test
    void withoutACapEveryBatchGoesAtOnce() {
        RateCap cap = new RateCap(null, now::get);

        assertThat(cap.tryAcquire(50)).isZero();
        assertThat(cap.tryAcquire(50)).isZero();
        assertThat(cap.perSecond()).isNull();
    }

    @Test
    void aBatchPaysForItsMessagesAndTheNextOneWaitsUntilTheyArePaidFor() {
        RateCap cap = new RateCap(100, now::get);

        assertThat(cap.tryAcquire(50)).isZero();
        assertThat(cap.tryAcquire(1)).isEqualTo(500 * MILLI);

        now.addAndGet(499 * MILLI);
        assertThat(cap.tryAcquire(1)).isEqualTo(MILLI);

        now.addAndGet(MILLI);
        assertThat(cap.tryAcquire(10)).isZero();
        assertThat(cap.tryAcquire(10)).isEqualTo(100 * MILLI);
    }

    @Test
    void overALongRunTheRateIsTheCapAndIdleTimeIsNotSavedForABurst() {
        RateCap cap = new RateCap(200, now::get);
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));   // a minute idle
        long start = now.get();
        int applied = 0;
        while (applied < 2_000) {
            long wait = cap.tryAcquire(50);
            if (wait > 0) {
                now.addAndGet(wait);
            }
            else {
                applied += 50;
            }
        }

        // 2,000 messages at 200 a second: the last batch starts after 1,950 were paid for, 9.75 s.
        assertThat(now.get() - start).isEqualTo(9_750 * MILLI);
    }

    @Test
    void aNewCapCountsFromNowAndTakingItOffFreesTheWaitingAtOnce() {
        RateCap cap = new RateCap(1, now::get);
        assertThat(cap.tryAcquire(50)).isZero();
        assertThat(cap.tryAcquire(1)).isEqualTo(TimeUnit.SECONDS.toNanos(50));

        cap.set(1_000);
        assertThat(cap.tryAcquire(1)).isZero();
        assertThat(cap.tryAcquire(1)).isEqualTo(MILLI);

        cap.set(null);
        assertThat(cap.tryAcquire(1)).isZero();
    }

    @Test
    void aCapOutsideItsRangeIsRefusedAndTheOldOneStays() {
        RateCap cap = new RateCap(300, now::get);

        assertThatIllegalArgumentException().isThrownBy(() -> cap.set(0)).withMessageContaining("from 1 to 1000000");
        assertThatIllegalArgumentException().isThrownBy(() -> cap.set(-5));
        assertThatIllegalArgumentException().isThrownBy(() -> cap.set(RateCap.MAX_PER_SECOND + 1));
        assertThat(cap.perSecond()).isEqualTo(300);
        assertThatIllegalArgumentException().isThrownBy(() -> new RateCap(0, now::get));
    }
}
