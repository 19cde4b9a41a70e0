package dev.flashsale.labs;

import static dev.flashsale.labs.LifecycleLab.DLQ;
import static dev.flashsale.labs.LifecycleLab.DLX;
import static dev.flashsale.labs.LifecycleLab.QUEUE;

import dev.flashsale.labs.LifecycleLab.Counts;
import dev.flashsale.labs.LifecycleLab.DeadLetter;
import dev.flashsale.labs.LifecycleLab.Findings;
import dev.flashsale.labs.LifecycleLab.Held;
import dev.flashsale.labs.LifecycleLab.Redelivered;
import dev.flashsale.labs.LifecycleLab.Stored;

/** What the {@link LifecycleLab} prints: each step of the message's life, and its verdict. */
final class LifecycleReport {

    private LifecycleReport() {
    }

    static Report of(Findings findings) {
        Report report = new Report()
                .line("The life of one message in the quorum queue " + QUEUE + " (dead letters: " + DLQ + ")");
        stored(report, findings.stored());
        held(report, findings.held());
        redelivered(report, findings.redelivered());
        deadLettered(report, findings.deadLettered());
        letter(report, findings.letter());
        acked(report, findings.acked());
        return report;
    }

    private static void stored(Report report, Stored stored) {
        report.line("1. publish one persistent message, with publisher confirms")
                .line("   broker confirmed: %s   ready: %d", stored.confirmed() ? "yes" : "no (nacked)", stored.ready())
                .verdict(stored.confirmed() && stored.ready() == 1, "stored: the broker confirmed it, and a quorum"
                                + " queue confirms once a majority of its replicas have it",
                        "not stored as expected: confirmed=" + stored.confirmed() + ", ready " + stored.ready());
    }

    private static void held(Report report, Held held) {
        report.line("2. consumer A takes it with manual ack, and does not ack")
                .line("   A received it: deliveryTag=%d redelivered=%s   ready: %d   B's basicGet: %s",
                        held.deliveryTag(), held.redelivered(), held.ready(), held.otherGotIt() ? "a message" : "nothing")
                .verdict(!held.redelivered() && held.ready() == 0 && !held.otherGotIt(),
                        "unacknowledged: delivered to A, invisible to everyone else, not yet gone",
                        "not held by A: redelivered=" + held.redelivered() + ", ready " + held.ready() + ", B got "
                                + (held.otherGotIt() ? "it" : "nothing"));
    }

    private static void redelivered(Report report, Redelivered again) {
        report.line("3. A's channel closes without an ack, as if A had crashed")
                .line("   ready: %d   B's basicGet: deliveryTag=%d redelivered=%s x-delivery-count=%s", again.ready(),
                        again.deliveryTag(), again.redelivered(), again.deliveryCount())
                .verdict(again.ready() == 1 && again.redelivered()
                                && again.deliveryCount() instanceof Number count && count.intValue() == 1,
                        "not gone: back in the queue, then to B, marked redelivered, with A's failed delivery counted",
                        "no redelivery seen: ready " + again.ready() + ", redelivered=" + again.redelivered()
                                + ", x-delivery-count=" + again.deliveryCount());
    }

    private static void deadLettered(Report report, Counts counts) {
        report.line("4. B rejects it (basicNack, requeue=false)")
                .line("   orders ready: %d   dlq ready: %d", counts.ready(), counts.dead())
                .verdict(counts.ready() == 0 && counts.dead() == 1,
                        "dead-lettered: the queue sent the rejected message via " + DLX + " to " + DLQ,
                        "not dead-lettered: orders ready " + counts.ready() + ", dlq ready " + counts.dead());
    }

    private static void letter(Report report, DeadLetter letter) {
        report.line("5. consumer C takes it from the DLQ, reads why it is there, and acks it")
                .line("   x-first-death-reason=%s   x-death: reason=%s queue=%s count=%s", letter.firstDeathReason(),
                        letter.reason(), letter.queue(), letter.count())
                .verdict("rejected".equals(letter.firstDeathReason()) && QUEUE.equals(String.valueOf(letter.queue())),
                        "the dead letter says why and where: rejected, in " + QUEUE,
                        "the dead letter's headers do not say it was rejected in " + QUEUE);
    }

    private static void acked(Report report, Counts counts) {
        report.line("   acked, then C's channel closed: orders ready: %d   dlq ready: %d", counts.ready(), counts.dead())
                .verdict(counts.ready() == 0 && counts.dead() == 0,
                        "acknowledged: gone for good, closing the channel brought nothing back",
                        "still there after the ack: orders ready " + counts.ready() + ", dlq ready " + counts.dead());
    }
}
