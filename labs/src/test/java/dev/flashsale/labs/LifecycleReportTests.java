package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.labs.LifecycleLab.Counts;
import dev.flashsale.labs.LifecycleLab.DeadLetter;
import dev.flashsale.labs.LifecycleLab.Findings;
import dev.flashsale.labs.LifecycleLab.Held;
import dev.flashsale.labs.LifecycleLab.Redelivered;
import dev.flashsale.labs.LifecycleLab.Stored;
import org.junit.jupiter.api.Test;

class LifecycleReportTests {

    private static final Findings AS_IN_THE_GUIDE = new Findings(new Stored(true, 1), new Held(1, false, 0, false),
            new Redelivered(1, 1, true, 1L), new Counts(0, 1),
            new DeadLetter("rejected", "rejected", "lab.lifecycle.orders", 1L), new Counts(0, 0));

    @Test
    void eachStepOfTheMessagesLifeAsTheGuideShowsIt() {
        Report report = LifecycleReport.of(AS_IN_THE_GUIDE);

        assertThat(report.lines()).containsExactly(
                "The life of one message in the quorum queue lab.lifecycle.orders (dead letters: lab.lifecycle.orders.dlq)",
                "1. publish one persistent message, with publisher confirms",
                "   broker confirmed: yes   ready: 1",
                "=> stored: the broker confirmed it, and a quorum queue confirms once a majority of its replicas have it",
                "2. consumer A takes it with manual ack, and does not ack",
                "   A received it: deliveryTag=1 redelivered=false   ready: 0   B's basicGet: nothing",
                "=> unacknowledged: delivered to A, invisible to everyone else, not yet gone",
                "3. A's channel closes without an ack, as if A had crashed",
                "   ready: 1   B's basicGet: deliveryTag=1 redelivered=true x-delivery-count=1",
                "=> not gone: back in the queue, then to B, marked redelivered, with A's failed delivery counted",
                "4. B rejects it (basicNack, requeue=false)",
                "   orders ready: 0   dlq ready: 1",
                "=> dead-lettered: the queue sent the rejected message via lab.lifecycle.dlx to lab.lifecycle.orders.dlq",
                "5. consumer C takes it from the DLQ, reads why it is there, and acks it",
                "   x-first-death-reason=rejected   x-death: reason=rejected queue=lab.lifecycle.orders count=1",
                "=> the dead letter says why and where: rejected, in lab.lifecycle.orders",
                "   acked, then C's channel closed: orders ready: 0   dlq ready: 0",
                "=> acknowledged: gone for good, closing the channel brought nothing back");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void aRedeliveryWithoutItsDeliveryCountIsNotTheLesson() {
        Findings uncounted = new Findings(AS_IN_THE_GUIDE.stored(), AS_IN_THE_GUIDE.held(),
                new Redelivered(1, 1, true, null), AS_IN_THE_GUIDE.deadLettered(), AS_IN_THE_GUIDE.letter(),
                AS_IN_THE_GUIDE.acked());

        Report report = LifecycleReport.of(uncounted);

        assertThat(report.shown()).isFalse();
        assertThat(report.lines()).contains("=> no redelivery seen: ready 1, redelivered=true, x-delivery-count=null");
    }

    @Test
    void aMessageStillThereAfterItsAckIsNotGone() {
        Findings stillThere = new Findings(AS_IN_THE_GUIDE.stored(), AS_IN_THE_GUIDE.held(),
                AS_IN_THE_GUIDE.redelivered(), AS_IN_THE_GUIDE.deadLettered(), AS_IN_THE_GUIDE.letter(),
                new Counts(0, 1));

        Report report = LifecycleReport.of(stillThere);

        assertThat(report.missed()).containsExactly("still there after the ack: orders ready 0, dlq ready 1");
    }
}
