package dev.flashsale.dashboard;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.flashsale.events.Topology;
import dev.flashsale.dashboard.CheckoutView.LatestOrder;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Puts the dashboard's {@link Snapshot} together, on request only: nothing runs while no page asks, so the dashboard
 * costs the checkout nothing when no browser is open.
 *
 * <p>The broker and the three workers are asked at the same time, so a refresh takes as long as the slowest of them,
 * and a worker that does not answer is shown as such after the timeout instead of holding up the rest. One snapshot
 * serves every page that asks within {@link DashboardProperties#maxAge()}: a dozen open browsers cost what one does.
 */
class DashboardService implements DisposableBean {

    private final CheckoutView checkout;
    private final BrokerStats broker;
    private final List<WorkerApi> workers;
    private final CheckoutLatency latency;
    private final int latestOrders;
    private final Duration maxAge;
    private final Clock clock;
    private final ExecutorService calls;
    private @Nullable Snapshot last;

    DashboardService(CheckoutView checkout, BrokerStats broker, List<WorkerApi> workers, CheckoutLatency latency,
            DashboardProperties properties, Clock clock) {
        this.checkout = checkout;
        this.broker = broker;
        this.workers = List.copyOf(workers);
        this.latency = latency;
        this.latestOrders = properties.latestOrders();
        this.maxAge = properties.maxAge();
        this.clock = clock;
        // One thread per party asked; they end after a minute without a page asking.
        ThreadPoolExecutor pool = new ThreadPoolExecutor(workers.size() + 1, workers.size() + 1, 1, TimeUnit.MINUTES,
                new LinkedBlockingQueue<>(), new CustomizableThreadFactory("dashboard-"));
        pool.allowCoreThreadTimeOut(true);
        this.calls = pool;
    }

    /** The latest snapshot, or a new one if it is older than the maximum age; concurrent callers share one. */
    synchronized Snapshot snapshot() {
        Instant now = clock.instant();
        if (last == null || !last.takenAt().plus(maxAge).isAfter(now)) {
            last = take(now);
        }
        return last;
    }

    private Snapshot take(Instant now) {
        CompletableFuture<Snapshot.Broker> queues = CompletableFuture.supplyAsync(broker::read, calls);
        List<LatestOrder> orders = checkout.latestOrders(latestOrders);
        List<UUID> orderIds = orders.stream().map(LatestOrder::orderId).toList();
        List<CompletableFuture<WorkerApi.View>> views = workers.stream()
                .map(worker -> CompletableFuture.supplyAsync(() -> worker.view(orderIds), calls)).toList();
        CompletableFuture<Optional<Snapshot.Rebuild>> rebuild = workers.stream()
                .filter(worker -> worker.queue().equals(Topology.ANALYTICS_QUEUE)).findFirst()
                .map(analytics -> CompletableFuture.supplyAsync(analytics::rebuild, calls))
                .orElse(CompletableFuture.completedFuture(Optional.empty()));
        List<WorkerApi.View> answered = views.stream().map(CompletableFuture::join).toList();
        List<Snapshot.Order> latest = orders.stream().map(order -> {
            Map<String, @Nullable String> appliedBy = new LinkedHashMap<>();
            answered.forEach(view -> appliedBy.put(view.worker().name(), view.applied().get(order.orderId())));
            return new Snapshot.Order(order.orderId(), order.status(), order.total(), order.currency(), order.createdAt(), appliedBy);
        }).toList();
        return new Snapshot(now, queues.join(), answered.stream().map(WorkerApi.View::worker).toList(), latency.snapshot(), latest,
                rebuild.join().orElse(null));
    }

    @Override
    public void destroy() {
        calls.shutdownNow();
    }
}
