package dev.flashsale.dashboard;

import java.math.BigDecimal;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * All the dashboard reads of the checkout it runs beside, declared here and implemented by the service (the
 * order-service's {@code DashboardAdapter}): its latest orders, and where the workers it calls answer. Nothing else of
 * the checkout is visible to the dashboard, and nothing of the dashboard to the checkout (order-service's
 * {@code CheckoutIndependenceTests}). The dashboard is switched on by a bean of this type.
 */
public interface CheckoutView {

    /** At most {@code limit} orders, the newest first. */
    List<LatestOrder> latestOrders(int limit);

    /** Where each worker's HTTP API answers: the addresses the synchronous checkout calls them at. */
    WorkerUrls workerUrls();

    /**
     * An order in the list.
     *
     * @param orderId the order
     * @param status where it stands, as the checkout names it ({@code ACCEPTED}, {@code PUBLISHED}, ...)
     * @param total what it costs
     * @param currency an ISO 4217 code
     * @param createdAt when the checkout accepted it
     */
    record LatestOrder(UUID orderId, String status, BigDecimal total, String currency, Instant createdAt) {
    }

    /**
     * The workers' base addresses.
     *
     * @param email the email worker
     * @param inventory the inventory worker
     * @param analytics the analytics worker
     */
    record WorkerUrls(URI email, URI inventory, URI analytics) {
    }
}
