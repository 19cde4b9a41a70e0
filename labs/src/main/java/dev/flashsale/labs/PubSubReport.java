package dev.flashsale.labs;

import static dev.flashsale.labs.PubSubLab.EMAIL;
import static dev.flashsale.labs.PubSubLab.EXCHANGE;
import static dev.flashsale.labs.PubSubLab.INVENTORY;
import static dev.flashsale.labs.PubSubLab.ORDERS;

import dev.flashsale.labs.PubSubLab.Findings;

/** What the {@link PubSubLab} prints: who received what, and the verdicts. */
final class PubSubReport {

    private PubSubReport() {
    }

    static Report of(Findings found) {
        Report report = new Report()
                .line("The fanout exchange " + EXCHANGE + " is bound to two queues:")
                .line("   " + EMAIL + ": two competing consumers, email-1 and email-2 (prefetch 1)")
                .line("   " + INVENTORY + ": one consumer, inventory")
                .line("Published " + ORDERS + " orders to the exchange; each consumer received:")
                .line("   email-1: %d   email-2: %d   inventory: %d", found.email1(), found.email2(), found.inventory());
        int emailTotal = found.email1() + found.email2();
        boolean shared = found.email1() > 0 && found.email2() > 0;
        report.verdict(emailTotal == ORDERS && found.emailDistinct() == ORDERS && shared,
                        "competing consumers on one queue share the work: each message to one of them (point-to-point)",
                        "the email consumers did not share the " + ORDERS + " orders: " + emailTotal + " received, "
                                + found.emailDistinct() + " distinct")
                .verdict(found.emailDistinct() == ORDERS && found.inventoryDistinct() == ORDERS
                                && found.inventory() == ORDERS,
                        "every queue bound to the fanout exchange got its own copy of all " + ORDERS
                                + " (publish/subscribe)",
                        "not every queue got all " + ORDERS + ": email " + found.emailDistinct() + ", inventory "
                                + found.inventoryDistinct());
        int emailMissed = ORDERS - found.emailService();
        int inventoryMissed = ORDERS - found.inventoryService();
        return report.line("Break it: the email service loses its own queue and consumes from " + INVENTORY)
                .line("   published %d more orders: the email service saw %d, the inventory service %d", ORDERS,
                        found.emailService(), found.inventoryService())
                .verdict(emailMissed > 0 && inventoryMissed > 0,
                        "two services on ONE queue compete: the email service missed " + emailMissed
                                + " orders, the inventory service " + inventoryMissed,
                        "one service saw every order: the email service missed " + emailMissed
                                + ", the inventory service " + inventoryMissed);
    }
}
