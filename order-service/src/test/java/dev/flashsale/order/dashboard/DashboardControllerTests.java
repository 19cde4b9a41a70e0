package dev.flashsale.order.dashboard;

import java.time.Duration;
import java.util.UUID;

import dev.flashsale.events.Topology;
import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.QueueProbe;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard's page and its data, against the real broker and its management API. No worker runs in these tests:
 * the snapshot says so, and shows everything else.
 */
@OrderServiceTest
class DashboardControllerTests {

    @Autowired
    TestApi api;

    @Autowired
    QueueProbe probe;

    @Test
    void theSnapshotShowsTheLatestOrdersTheQueuesTheLatenciesAndWhichWorkersDidNotAnswer() {
        UUID orderId = api.checkout(TestApi.order("DASH-1", 1)).orderId();
        probe.awaitInEveryQueue(orderId, Duration.ofSeconds(10));

        JsonNode snapshot = await().until(() -> api.get("/api/dashboard").json(),
                json -> json.get("latestOrders").findValuesAsString("orderId").contains(orderId.toString())
                        && "PUBLISHED".equals(latest(json, orderId).get("status").asString()));

        JsonNode order = latest(snapshot, orderId);
        assertThat(order.get("total").decimalValue()).isEqualByComparingTo("9.99");
        assertThat(order.get("appliedBy").propertyNames()).containsExactly("email-worker", "inventory-worker", "analytics-worker");
        assertThat(order.get("appliedBy").get("inventory-worker").isNull()).as("not applied: no worker runs").isTrue();
        JsonNode broker = snapshot.get("broker");
        assertThat(broker.get("reachable").asBoolean()).as(broker.path("problem").asString()).isTrue();
        assertThat(broker.get("queues").findValuesAsString("name")).containsExactly(Topology.EMAIL_QUEUE, Topology.INVENTORY_QUEUE,
                Topology.ANALYTICS_QUEUE, Topology.EMAIL_EXPRESS_QUEUE);
        assertThat(broker.get("queues").findValuesAsString("deadLetterQueue")).containsExactly(Topology.deadLetterQueue(Topology.EMAIL_QUEUE),
                Topology.deadLetterQueue(Topology.INVENTORY_QUEUE), Topology.deadLetterQueue(Topology.ANALYTICS_QUEUE),
                Topology.deadLetterQueue(Topology.EMAIL_QUEUE));
        assertThat(broker.get("history").get("name").asString()).isEqualTo(Topology.HISTORY_STREAM);
        assertThat(snapshot.get("rebuild").isNull()).as("no analytics worker runs").isTrue();
        for (JsonNode worker : snapshot.get("workers")) {
            assertThat(worker.get("reachable").asBoolean()).isFalse();
            assertThat(worker.get("problem").asString()).contains(worker.get("name").asString(), "did not answer");
        }
        JsonNode async = snapshot.get("latency").get("async");
        assertThat(async.get("count").asLong()).isPositive();
        assertThat(async.get("p50").asDouble()).isPositive();
        assertThat(async.get("p99").asDouble()).isGreaterThanOrEqualTo(async.get("p50").asDouble());
    }

    @Test
    void theSnapshotAndThePageNeedNoCredentials() {
        Answer snapshot = api.get("/api/dashboard");
        Answer page = api.get("/");
        Answer script = api.get("/dashboard.js");

        assertThat(snapshot.status()).isEqualTo(200);
        assertThat(snapshot.header("Cache-Control")).contains("no-store");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.contentType()).startsWith("text/html");
        // Nothing from elsewhere: no address but the SVG namespace's, which names and fetches nothing.
        assertThat(page.body()).contains("dashboard.js", "dashboard.css").doesNotContain("http://", "https://", "//");
        assertThat(script.status()).isEqualTo(200);
        assertThat(script.body().replace("'http://www.w3.org/2000/svg'", "")).contains("/api/dashboard")
                .doesNotContain("http://", "https://");
    }

    @Test
    void bothCheckoutsLatenciesArePublishedAsHistogramsForPrometheus() {
        // Waited for, so that no later test of this context counts its event among its own.
        probe.awaitInEveryQueue(api.checkout(TestApi.order("DASH-2", 1)).orderId(), Duration.ofSeconds(10));

        String prometheus = api.get("/actuator/prometheus").body();

        assertThat(prometheus).contains("# TYPE flashsale_checkout_latency_seconds histogram",
                "flashsale_checkout_latency_seconds_bucket{checkout=\"async\",le=\"0.001\"}",
                "flashsale_checkout_latency_seconds_bucket{checkout=\"async\",le=\"30.0\"}",
                "flashsale_checkout_latency_seconds_bucket{checkout=\"async\",le=\"+Inf\"}",
                "flashsale_checkout_latency_seconds_bucket{checkout=\"sync\",le=\"+Inf\"}",
                "flashsale_checkout_latency_seconds_count{checkout=\"async\"}",
                "flashsale_checkout_latency_seconds_sum{checkout=\"async\"}");
        // A histogram carries no quantile samples: the percentiles stay in the service, for the dashboard (first test).
        assertThat(prometheus).doesNotContain("flashsale_checkout_latency_seconds{");
    }

    private static JsonNode latest(JsonNode snapshot, UUID orderId) {
        for (JsonNode order : snapshot.get("latestOrders")) {
            if (order.get("orderId").asString().equals(orderId.toString())) {
                return order;
            }
        }
        throw new AssertionError("Order " + orderId + " is not among the latest");
    }
}
