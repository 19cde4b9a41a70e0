package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flashsale.labs.PubSubLab.Findings;
import org.junit.jupiter.api.Test;

class PubSubReportTests {

    @Test
    void sharedWorkAndACopyForEveryQueueAndTwoServicesOnOneQueueMissingOrders() {
        Report report = PubSubReport.of(new Findings(11, 9, 20, 20, 20, 12, 8));

        assertThat(report.lines()).containsExactly(
                "The fanout exchange lab.pubsub.orders is bound to two queues:",
                "   lab.pubsub.email: two competing consumers, email-1 and email-2 (prefetch 1)",
                "   lab.pubsub.inventory: one consumer, inventory",
                "Published 20 orders to the exchange; each consumer received:",
                "   email-1: 11   email-2: 9   inventory: 20",
                "=> competing consumers on one queue share the work: each message to one of them (point-to-point)",
                "=> every queue bound to the fanout exchange got its own copy of all 20 (publish/subscribe)",
                "Break it: the email service loses its own queue and consumes from lab.pubsub.inventory",
                "   published 20 more orders: the email service saw 12, the inventory service 8",
                "=> two services on ONE queue compete: the email service missed 8 orders, the inventory service 12");
        assertThat(report.shown()).isTrue();
    }

    @Test
    void oneEmailConsumerDoingAllTheWorkIsNotSharing() {
        Report report = PubSubReport.of(new Findings(20, 0, 20, 20, 20, 12, 8));

        assertThat(report.missed()).containsExactly(
                "the email consumers did not share the 20 orders: 20 received, 20 distinct");
    }

    @Test
    void aServiceThatSawEveryOrderOnTheSharedQueueDidNotCompete() {
        Report report = PubSubReport.of(new Findings(10, 10, 20, 20, 20, 20, 0));

        assertThat(report.missed()).containsExactly(
                "one service saw every order: the email service missed 0, the inventory service 20");
    }
}
