package dev.flashsale.system;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Orders offered to the asynchronous checkout at a fixed rate for a fixed time, whatever the answers take (an open
 * model: a slow or absent service cannot slow the offering down). Each order carries an {@code Idempotency-Key}, so
 * that one whose answer never came (the service died, the connection was refused) can be offered again and is then
 * either replayed (it had been committed) or placed (it had not), as a real client would do.
 *
 * <p>Given several order-service instances, it offers the orders to each in turn, and a refused connection (the
 * instance is down) to the next at once, as a load balancer does: nothing was sent, so nothing can be placed twice.
 */
final class FixedRateLoad {

    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(10);

    private final List<URI> checkouts;
    private final AtomicInteger nextInstance = new AtomicInteger();
    private final int orders;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final AtomicInteger offered = new AtomicInteger();
    private final Map<UUID, Integer> accepted = new ConcurrentHashMap<>();
    private final Map<Integer, AtomicInteger> refused = new ConcurrentHashMap<>();
    private final List<Offer> unanswered = new CopyOnWriteArrayList<>();
    private final List<UUID> replayed = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final CountDownLatch answered;
    private final long startedAt = System.nanoTime();

    private FixedRateLoad(List<URI> orderServices, int orders) {
        this.checkouts = orderServices.stream().map(uri -> uri.resolve("/api/orders")).toList();
        this.orders = orders;
        this.answered = new CountDownLatch(orders);
    }

    /** Starts offering {@code perSecond} orders a second for {@code duration}, from now, in the background. */
    static FixedRateLoad start(URI orderService, int perSecond, Duration duration) {
        return start(List.of(orderService), perSecond, duration);
    }

    /** The same, offering the orders to each order-service instance in turn. */
    static FixedRateLoad start(List<URI> orderServices, int perSecond, Duration duration) {
        FixedRateLoad load = new FixedRateLoad(orderServices, (int) (perSecond * duration.toMillis() / 1000));
        load.ticker.scheduleAtFixedRate(load::offerNext, 0, 1_000_000 / perSecond, TimeUnit.MICROSECONDS);
        return load;
    }

    /** One order offered once: its key and body, kept to offer it again, and when it was first offered (seconds into the load). */
    record Offer(String key, String body, int quantity, double offeredAt) {
    }

    /** What the load amounted to once every order was offered and answered (or timed out). */
    record Result(int offered, Map<UUID, Integer> accepted, Map<Integer, Integer> refused, List<Offer> unanswered,
            List<UUID> replayed, Duration took) {

        int refusedCount() {
            return refused.values().stream().mapToInt(Integer::intValue).sum();
        }
    }

    /**
     * Stops offering now, before the duration it was started for is over (a test whose steps took their own time):
     * what was offered so far is still answered, and {@link #await} returns once it is.
     */
    void stopOffering() throws InterruptedException {
        ticker.shutdown();
        if (!ticker.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The load's ticker did not stop");
        }
        // The orders never offered will have no answer to wait for.
        for (int unoffered = orders - offered.get(); unoffered > 0; unoffered--) {
            answered.countDown();
        }
    }

    /** Seconds since the load started. */
    double elapsedSeconds() {
        return (System.nanoTime() - startedAt) / 1e9;
    }

    /** Why the unanswered offers got no answer: the exception's kind (a connect or a request timeout, a reset), counted. */
    Map<String, Integer> failures() {
        Map<String, Integer> counts = new TreeMap<>();
        failures.forEach((kind, count) -> counts.put(kind, count.get()));
        return counts;
    }

    int acceptedSoFar() {
        return accepted.size();
    }

    /** Waits until every order was offered and each has its answer (or gave up waiting for it). */
    Result await() throws InterruptedException {
        // Offering takes orders / rate seconds; the last answer may take ANSWER_TIMEOUT more. Generously bounded.
        if (!answered.await(ANSWER_TIMEOUT.toSeconds() + orders, TimeUnit.SECONDS)) {
            throw new IllegalStateException("The load did not end: " + answered.getCount() + " orders without an outcome");
        }
        ticker.shutdownNow();
        return result();
    }

    /**
     * Offers every order that got no answer again, with its key, until each is answered (or {@code attempts} run out):
     * a 202 replay means it had been committed before the failure.
     */
    Result offerUnansweredAgain(int attempts) {
        for (int attempt = 0; attempt < attempts && !unanswered.isEmpty(); attempt++) {
            List<Offer> again = List.copyOf(unanswered);
            unanswered.clear();
            List<CompletableFuture<Void>> sent = again.stream().map(this::send).toList();
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        }
        return result();
    }

    private Result result() {
        Map<Integer, Integer> refusedCounts = new ConcurrentHashMap<>();
        refused.forEach((status, count) -> refusedCounts.put(status, count.get()));
        return new Result(offered.get(), Map.copyOf(accepted), Map.copyOf(refusedCounts), List.copyOf(unanswered),
                List.copyOf(replayed), Duration.ofNanos(System.nanoTime() - startedAt));
    }

    private void offerNext() {
        int n = offered.incrementAndGet();
        if (n > orders) {
            offered.decrementAndGet();
            ticker.shutdown();
            return;
        }
        int quantity = ThreadLocalRandom.current().nextInt(1, 4);
        String body = """
                {"customer":{"id":"load-%d","email":"load%d@example.com"},
                 "lines":[{"sku":"SKU-1","quantity":%d,"unitPrice":9.99}],"currency":"EUR"}""".formatted(n, n, quantity);
        send(new Offer("load-" + UUID.randomUUID(), body, quantity, elapsedSeconds())).whenComplete((ignored, failure) -> answered.countDown());
    }

    private CompletableFuture<Void> send(Offer offer) {
        return send(offer, Math.floorMod(nextInstance.getAndIncrement(), checkouts.size()), checkouts.size());
    }

    private CompletableFuture<Void> send(Offer offer, int instance, int instancesLeft) {
        HttpRequest request = HttpRequest.newBuilder(checkouts.get(instance)).timeout(ANSWER_TIMEOUT)
                .header("Content-Type", "application/json").header("Idempotency-Key", offer.key())
                .POST(HttpRequest.BodyPublishers.ofString(offer.body())).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).handle((response, failure) -> {
            if (failure != null && refusedConnection(failure) && instancesLeft > 1) {
                return send(offer, (instance + 1) % checkouts.size(), instancesLeft - 1);
            }
            if (failure != null) {
                unanswered.add(offer);
                Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
                failures.computeIfAbsent(cause.getClass().getSimpleName(), kind -> new AtomicInteger()).incrementAndGet();
            }
            else if (response.statusCode() == 202) {
                UUID orderId = UUID.fromString(Checkout.JSON.readTree(response.body()).get("orderId").asString());
                accepted.put(orderId, offer.quantity());
                if (response.headers().firstValue("Idempotent-Replayed").orElse("false").equals("true")) {
                    replayed.add(orderId);
                }
            }
            else {
                refused.computeIfAbsent(response.statusCode(), status -> new AtomicInteger()).incrementAndGet();
            }
            return CompletableFuture.<Void>completedFuture(null);
        }).thenCompose(next -> next);
    }

    private static boolean refusedConnection(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }
}
