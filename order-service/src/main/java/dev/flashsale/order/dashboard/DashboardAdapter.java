package dev.flashsale.order.dashboard;

import java.util.List;

import dev.flashsale.dashboard.CheckoutView;
import dev.flashsale.order.checkout.RecentOrders;
import dev.flashsale.order.downstream.DownstreamProperties;
import org.springframework.stereotype.Component;

/**
 * The order-service's side of the dashboard (module {@code dashboard}, auto-configured once this bean exists): what it
 * may read of the checkout, its latest orders, and where the synchronous checkout finds the workers. This package, not
 * the checkout's, depends on the dashboard; {@code CheckoutIndependenceTests} keeps it that way.
 */
@Component
class DashboardAdapter implements CheckoutView {

    private final RecentOrders recentOrders;
    private final DownstreamProperties downstream;

    DashboardAdapter(RecentOrders recentOrders, DownstreamProperties downstream) {
        this.recentOrders = recentOrders;
        this.downstream = downstream;
    }

    @Override
    public List<LatestOrder> latestOrders(int limit) {
        return recentOrders.latest(limit).stream().map(order -> new LatestOrder(order.orderId(), order.status().name(),
                order.total(), order.currency(), order.createdAt())).toList();
    }

    @Override
    public WorkerUrls workerUrls() {
        return new WorkerUrls(downstream.emailUrl(), downstream.inventoryUrl(), downstream.analyticsUrl());
    }
}
