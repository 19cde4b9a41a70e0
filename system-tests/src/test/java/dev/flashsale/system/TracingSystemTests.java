package dev.flashsale.system;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.system.OtlpReceiver.ReceivedSpan;
import dev.flashsale.testsupport.NoDelayGreenMail;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One trace per order, across the broker: the checkout's request, the outbox's publish and each worker's delivery are
 * spans of one trace, exported over OTLP to a collector of the tests' own ({@link OtlpReceiver}), as they would be to
 * Jaeger. Each checkout here carries a {@code traceparent} the test made up, so the trace id to look for is known
 * before the order exists.
 *
 * <p>A RabbitMQ node of its own ({@link RabbitNode}): one test stops it.
 */
class TracingSystemTests {

    private static final Logger log = LoggerFactory.getLogger(TracingSystemTests.class);

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final Set<String> WORKERS = Set.of("email-worker", "inventory-worker", "analytics-worker");
    private static final HexFormat HEX = HexFormat.of();

    private static RabbitNode broker;
    private static GreenMail smtp;
    private static OtlpReceiver traces;
    private static FlashSaleSystem system;

    private final Checkout client = new Checkout();

    @BeforeAll
    static void startSystem() {
        broker = RabbitNode.start();
        smtp = NoDelayGreenMail.startOnFreePort();
        traces = OtlpReceiver.start();
        system = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                .broker("127.0.0.1", broker.amqpPort(), "guest", "guest", "/")
                .smtp("127.0.0.1", smtp.getSmtp().getPort())
                .property("management.opentelemetry.tracing.export.otlp.endpoint", traces.endpoint().toString())
                // Spans leave each service in batches, every 5 s by default: sooner here, so the tests wait less.
                .property("management.opentelemetry.tracing.export.schedule-delay", "200ms")
                .property("flashsale.worker.costs.scale", "0")
                .property("flashsale.worker.retry.initial-interval", "50ms")
                .property("flashsale.worker.retry.max-interval", "200ms")
                .jvmOption("-XX:TieredStopAtLevel=1")
                .workDirectory(EndToEndSystemTests.workDirectory("tracing"))
                .start();
    }

    @AfterAll
    static void stopSystem() {
        try {
            if (system != null) {
                system.close();
            }
        }
        finally {
            traces.close();
            smtp.stop();
            broker.close();
        }
    }

    @Test
    void theCheckoutItsPublishAndEachWorkersDeliveryAreSpansOfOneTrace() {
        String traceId = newTraceId();

        placeOrder(traceId);

        List<ReceivedSpan> trace = awaitEveryWorkerIn(traceId);
        ReceivedSpan checkout = only(trace, "order-service", "SERVER");
        assertThat(checkout.name()).contains("/api/orders");
        ReceivedSpan publish = only(trace, "order-service", "PRODUCER");
        assertThat(parentOf(publish, trace)).as("the publish's parent").isEqualTo(checkout);
        for (String worker : WORKERS) {
            ReceivedSpan delivery = only(trace, worker, "CONSUMER");
            assertThat(delivery.parentSpanId()).as("%s's delivery comes from the publish, across the broker", worker)
                    .isEqualTo(publish.spanId());
            assertThat(trace).as("%s's effect on the order, under its delivery", worker).anySatisfy(effect -> assertThat(effect)
                    .extracting(ReceivedSpan::service, ReceivedSpan::name, ReceivedSpan::parentSpanId)
                    .containsExactly(worker, "apply order", delivery.spanId()));
        }
    }

    @Test
    void theSynchronousCheckoutsCallsToTheWorkersAreSpansOfItsTrace() {
        String traceId = newTraceId();

        Checkout.Answer answer = client.post(orderService().resolve("/api/orders/sync"), Checkout.order(1), "traceparent",
                traceparent(traceId));

        assertThat(answer.status()).as("sync checkout: %s", answer.json()).isEqualTo(201);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(services(traces.trace(traceId), "SERVER"))
                .containsAll(WORKERS).contains("order-service"));
        List<ReceivedSpan> trace = traces.trace(traceId);
        Set<String> callers = trace.stream().filter(span -> span.kind().equals("SERVER") && WORKERS.contains(span.service()))
                .map(call -> parentOf(call, trace)).map(ReceivedSpan::kind).collect(Collectors.toSet());
        assertThat(callers).as("each worker's request comes from a client call of the order-service").containsExactly("CLIENT");
    }

    @Test
    void anOrderTheRelaySendsAfterABrokerOutageStaysInItsCheckoutsTrace() {
        String traceId = newTraceId();
        double relayedBefore = relayed();

        broker.stopApp();
        try {
            placeOrder(traceId);
        }
        finally {
            broker.startApp();
        }

        List<ReceivedSpan> trace = awaitEveryWorkerIn(traceId);
        assertThat(relayed()).as("rows sent by the relay").isGreaterThan(relayedBefore);
        ReceivedSpan checkout = only(trace, "order-service", "SERVER");
        List<ReceivedSpan> publishes = trace.stream().filter(span -> span.kind().equals("PRODUCER")).toList();
        assertThat(publishes).as("publishes in the trace (a failed one while the broker was down, then the relay's)").isNotEmpty()
                .allSatisfy(publish -> assertThat(publish.parentSpanId()).isEqualTo(checkout.spanId()));
    }

    @Test
    void aReplayedDeadLetterStartsANewTraceLinkedToTheOrdersFirst() throws Exception {
        String firstTrace = newTraceId();
        URI inventory = system.uri(Service.INVENTORY_WORKER);
        String orderId;
        JsonNode deadLetter;
        setFailureRate(inventory, 1);
        try {
            orderId = placeOrder(firstTrace);
            deadLetter = await().atMost(PATIENCE).until(() -> deadLetterOf(inventory, orderId), found -> found != null);
        }
        finally {
            setFailureRate(inventory, 0);
        }

        HttpResponse<String> replay = client.postAsAdmin(inventory.resolve("/api/admin/dead-letters/" + deadLetter.get("id").asLong()
                + "/replay"));

        assertThat(replay.statusCode()).as("replay: %s", replay.body()).isEqualTo(200);
        ReceivedSpan replaySpan = await().atMost(PATIENCE).until(() -> traces.linkingTo(firstTrace).stream()
                .filter(span -> span.name().equals("dead-letter replay")).findFirst().orElse(null), span -> span != null);
        assertThat(replaySpan.traceId()).as("the replay's trace").isNotEqualTo(firstTrace);
        assertThat(replaySpan.service()).isEqualTo("inventory-worker");
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(traces.trace(replaySpan.traceId()))
                .as("the replayed delivery, in the replay's trace")
                .anySatisfy(span -> assertThat(span).extracting(ReceivedSpan::service, ReceivedSpan::kind)
                        .containsExactly("inventory-worker", "CONSUMER")));
        assertThat(traces.trace(firstTrace)).as("the first trace keeps the failed deliveries")
                .anySatisfy(span -> assertThat(span).extracting(ReceivedSpan::service, ReceivedSpan::kind)
                        .containsExactly("inventory-worker", "CONSUMER"));
    }

    private String placeOrder(String traceId) {
        Checkout.Answer answer = client.post(orderService().resolve("/api/orders"), Checkout.order(1), "traceparent",
                traceparent(traceId));
        assertThat(answer.status()).as("checkout: %s", answer.json()).isEqualTo(202);
        return answer.json().get("orderId").asString();
    }

    /**
     * Waits until the trace holds every span the tests look at: the checkout's request and a publish, each worker's
     * delivery and its effect. They come from four processes, each exporting in batches on its own schedule, so the
     * workers' spans can arrive before the order-service's (it happened once in CI: every worker's spans, no checkout).
     */
    private List<ReceivedSpan> awaitEveryWorkerIn(String traceId) {
        await().atMost(PATIENCE).untilAsserted(() -> {
            List<ReceivedSpan> spans = traces.trace(traceId);
            assertThat(services(spans, "SERVER")).as("the checkout's request").contains("order-service");
            assertThat(services(spans, "PRODUCER")).as("a publish").contains("order-service");
            assertThat(services(spans, "CONSUMER")).as("the deliveries").containsAll(WORKERS);
            assertThat(spans.stream().filter(span -> span.name().equals("apply order")).map(ReceivedSpan::service))
                    .as("the effects").containsAll(WORKERS);
        });
        List<ReceivedSpan> trace = traces.trace(traceId);
        log.info("Trace {}: {}", traceId, trace);
        return trace;
    }

    private static Set<String> services(List<ReceivedSpan> trace, String kind) {
        return trace.stream().filter(span -> span.kind().equals(kind)).map(ReceivedSpan::service).collect(Collectors.toSet());
    }

    private static ReceivedSpan only(List<ReceivedSpan> trace, String service, String kind) {
        List<ReceivedSpan> found = trace.stream().filter(span -> span.service().equals(service) && span.kind().equals(kind)).toList();
        assertThat(found).as("%s spans of %s in %s", kind, service, trace).hasSize(1);
        return found.get(0);
    }

    private static ReceivedSpan parentOf(ReceivedSpan span, List<ReceivedSpan> trace) {
        return trace.stream().filter(candidate -> candidate.spanId().equals(span.parentSpanId())).findFirst()
                .orElseThrow(() -> new AssertionError("no parent of " + span + " in " + trace));
    }

    private JsonNode deadLetterOf(URI worker, String orderId) {
        JsonNode list = client.getAsAdmin(worker.resolve("/api/admin/dead-letters?limit=500"));
        for (JsonNode deadLetter : list.get("deadLetters")) {
            if (orderId.equals(deadLetter.get("orderId").asString())) {
                return deadLetter;
            }
        }
        return null;
    }

    private void setFailureRate(URI worker, double rate) {
        Checkout.Answer answer = client.putAsAdmin(worker.resolve("/api/admin/faults"),
                "{\"failureRate\":%s,\"latency\":\"PT0S\",\"crashRate\":0}".formatted(rate));
        assertThat(answer.status()).as("fault knobs: %s", answer.json()).isEqualTo(200);
    }

    private double relayed() {
        return client.metric(orderService(), "flashsale_outbox_relayed_total");
    }

    private static URI orderService() {
        return system.uri(Service.ORDER_SERVICE);
    }

    private static String newTraceId() {
        byte[] id = new byte[16];
        ThreadLocalRandom.current().nextBytes(id);
        return HEX.formatHex(id);
    }

    private static String traceparent(String traceId) {
        byte[] parent = new byte[8];
        ThreadLocalRandom.current().nextBytes(parent);
        parent[0] |= 1;
        return "00-" + traceId + "-" + HEX.formatHex(parent) + "-01";
    }
}
