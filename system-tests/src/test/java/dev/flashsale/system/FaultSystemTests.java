package dev.flashsale.system;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TcpProxy;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault-tolerance suite: each test offers orders at a fixed rate to the whole system (four processes, a RabbitMQ
 * node of its own, a real SMTP server behind a TCP proxy), breaks one thing in the middle of the load, and ends
 * with the same accounting: offered, accepted, applied by each worker, lost, applied twice. Lost and applied twice
 * must be zero. The figures of the last run are in RELIABILITY.md.
 *
 * <p>One system for all the tests, in an order that ends with the faults that restart processes: a start costs
 * about half a minute on two cores.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSystemTests {

    private static final Logger log = LoggerFactory.getLogger(FaultSystemTests.class);

    /** Orders a second offered by every load: well within what the system sustains on two cores. */
    static final int RATE = 50;

    /** How long each load lasts; the fault strikes after {@link #FAULT_AFTER} orders were accepted. */
    static final Duration LOAD = Duration.ofSeconds(10);
    static final int FAULT_AFTER = RATE * 3;

    /** How long a fault lasts, counted in orders accepted meanwhile: the checkout keeps accepting. */
    static final int ACCEPTED_DURING_FAULT = RATE * 4;

    static final Duration PATIENCE = Duration.ofSeconds(90);

    /** The end of a mail's data in SMTP, a line holding a single dot: what the email worker sends before the reply in doubt. */
    static final byte[] SMTP_END_OF_DATA = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);

    /** Attempts before a failing message is dead-lettered (flashsale.worker.retry.max-attempts, the default). */
    static final int MAX_ATTEMPTS = 5;

    private static RabbitNode broker;
    private static GreenMail smtp;
    private static TcpProxy smtpProxy;
    private static FlashSaleSystem system;

    private final Checkout client = new Checkout();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void startSystem() {
        // The faults make other threads fail on purpose (GreenMail's, when SMTP is cut in the middle of a mail):
        // a wait must not take them for the test's own failure.
        Awaitility.doNotCatchUncaughtExceptionsByDefault();
        broker = RabbitNode.start();
        smtp = NoDelayGreenMail.startOnFreePort();
        smtpProxy = new TcpProxy("127.0.0.1", smtp.getSmtp().getPort());
        system = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                .broker("127.0.0.1", broker.amqpPort(), "guest", "guest", "/")
                .smtp("127.0.0.1", smtpProxy.port())
                .property("flashsale.dashboard.rabbitmq.url", broker.managementUri().toString())
                .property("flashsale.worker.retry.initial-interval", "100ms")
                .property("flashsale.worker.retry.max-interval", "1s")
                .property("flashsale.worker.costs.scale", "0")
                // The SMTP breaker tries again after 2 s instead of 10 s, so the outage test ends sooner.
                .property("resilience4j.circuitbreaker.instances.smtp.wait-duration-in-open-state", "2s")
                // The analytics worker keeps two consumers (its default is two, growing to four with the backlog), so
                // that the slow-consumer test knows its capacity: two at a time, 100 ms each, 20 orders/s against 50.
                .environment(Service.ANALYTICS_WORKER, "SPRING_RABBITMQ_LISTENER_SIMPLE_MAX_CONCURRENCY", "2")
                .jvmOption("-XX:TieredStopAtLevel=1")
                .workDirectory(EndToEndSystemTests.workDirectory("faults"))
                .start();
    }

    @AfterAll
    static void stopSystem() {
        Awaitility.reset();
        try {
            if (system != null) {
                system.close();
            }
        }
        finally {
            smtpProxy.close();
            smtp.stop();
            broker.close();
        }
    }

    @Test
    @Order(1)
    void hostileCheckoutRequestsAreRefusedWithoutA5xxAndNothingIsStoredOrPublished() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        List<HostileRequests.Request> hostile = HostileRequests.checkout();
        assertThat(hostile).hasSizeGreaterThanOrEqualTo(1_000);
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);

        HostileAnswers answers = sendAll(hostile.stream()
                .map(request -> new Hostile("checkout", "POST", orderService().resolve("/api/orders"), request, null)).toList());
        FixedRateLoad.Result result = load.await();
        Checkout.Answer normal = client.post(orderService().resolve("/api/orders"), Checkout.order(1));
        Map<UUID, Integer> accepted = new HashMap<>(result.accepted());
        accepted.put(UUID.fromString(normal.json().get("orderId").asString()), 1);
        Accounting.Report report = accounting.settle("bad input (" + hostile.size() + " hostile requests)", result.offered() + 1,
                accepted, result.refusedCount(), PATIENCE);
        log.info("FAULT bad input: {} hostile requests answered {}", hostile.size(), answers.counts());

        assertThat(answers.wrong()).as("hostile requests not refused with a 4xx problem").isEmpty();
        assertThat(normal.status()).as("a normal checkout afterwards").isEqualTo(202);
        assertThat(report.unasked()).as("orders stored and published from a hostile request").isZero();
        Accounting.assertNothingLostNorTwice(report, result);
        for (JsonNode order : client.get(orderService().resolve("/api/dashboard")).get("latestOrders")) {
            assertThat(accepted).as("the latest orders stored").containsKey(UUID.fromString(order.get("orderId").asString()));
        }
    }

    /**
     * The same kind of hostile bodies, sent with valid credentials (so that the bodies are what is tested) to every
     * request of the system that changes state and takes input: each worker's synchronous endpoint and admin operations,
     * and the order-service's. None may fail with a 5xx, and none may change anything.
     */
    @Test
    @Order(2)
    void hostileRequestsToTheWorkersAndTheAdminOperationsAreRefusedWithoutA5xxAndChangeNothing() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        Map<Service, String> knobsBefore = new EnumMap<>(Service.class);
        for (Service service : Service.SYSTEM) {
            knobsBefore.put(service, adminGet(system.uri(service).resolve("/api/admin/faults")));
        }
        List<Hostile> hostile = new ArrayList<>();
        List<UUID> hostileOrders = new ArrayList<>();
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            URI base = system.uri(worker);
            UUID orderId = UUID.randomUUID();
            hostileOrders.add(orderId);
            HostileRequests.orderPlacedEvents(orderId.toString()).forEach(request -> hostile.add(new Hostile(worker.module() + " synchronous call",
                    "PUT", base.resolve("/api/processed/" + orderId), request, SERVICE_CREDENTIALS)));
            HostileRequests.workerFaultKnobs().forEach(request -> hostile.add(new Hostile(worker.module() + " fault knobs", "PUT",
                    base.resolve("/api/admin/faults"), request, ADMIN_CREDENTIALS)));
            HostileRequests.consumptionSwitch().forEach(request -> hostile.add(new Hostile(worker.module() + " consumption", "PUT",
                    base.resolve("/api/admin/consumption"), request, ADMIN_CREDENTIALS)));
            HostileRequests.rateCap().forEach(request -> hostile.add(new Hostile(worker.module() + " rate cap", "PUT",
                    base.resolve("/api/admin/consumption/max-rate"), request, ADMIN_CREDENTIALS)));
            for (String id : List.of("abc", "-1", "0", "99999999999999999999", "1.5", "%00")) {
                hostile.add(new Hostile(worker.module() + " replay of dead letter " + id, "POST",
                        base.resolve("/api/admin/dead-letters/" + id + "/replay"), null, ADMIN_CREDENTIALS));
                hostile.add(new Hostile(worker.module() + " discard of dead letter " + id, "DELETE",
                        base.resolve("/api/admin/dead-letters/" + id), null, ADMIN_CREDENTIALS));
            }
            for (String group : List.of("xyz", "0123456789abcdeg", "0123456789abcdef0", "%2e%2e", "''")) {
                hostile.add(new Hostile(worker.module() + " replay of group " + group, "POST",
                        base.resolve("/api/admin/dead-letters/groups/" + group + "/replay"), null, ADMIN_CREDENTIALS));
            }
            for (String limit : List.of("0", "-1", "abc", "100000", "1e3")) {
                hostile.add(new Hostile(worker.module() + " dead letters, limit " + limit, "GET",
                        base.resolve("/api/admin/dead-letters?limit=" + limit), null, ADMIN_CREDENTIALS));
                hostile.add(new Hostile(worker.module() + " processed orders, limit " + limit, "GET",
                        base.resolve("/api/processed?limit=" + limit), null, null));
            }
        }
        HostileRequests.orderServiceFaultKnob().forEach(request -> hostile.add(new Hostile("order-service fault knob", "PUT",
                orderService().resolve("/api/admin/faults"), request, ADMIN_CREDENTIALS)));
        for (String kind : List.of("x", "MALFORMED-JSON", "%00", "a".repeat(5_000))) {
            hostile.add(new Hostile("order-service poison of kind " + kind.substring(0, Math.min(kind.length(), 20)), "POST",
                    orderService().resolve("/api/admin/poison?kind=" + kind), null, ADMIN_CREDENTIALS));
        }
        assertThat(hostile).hasSizeGreaterThanOrEqualTo(1_000);

        HostileAnswers answers;
        try {
            answers = sendAll(hostile);
        }
        finally {
            // Whatever got through is undone, so that the tests after this one meet the system as it was.
            for (Service worker : ExactlyOnceAccount.WORKERS) {
                setWorkerLatency(worker, Duration.ZERO);
                put(system.uri(worker).resolve("/api/admin/consumption"), "{\"consuming\":true}");
                delete(system.uri(worker).resolve("/api/admin/consumption/max-rate"));
            }
            put(orderService().resolve("/api/admin/faults"), "{\"afterCommitFault\":\"NONE\"}");
        }
        Map<Service, String> knobsAfter = new EnumMap<>(Service.class);
        for (Service service : Service.SYSTEM) {
            knobsAfter.put(service, adminGet(system.uri(service).resolve("/api/admin/faults")));
        }
        Accounting.Report report = accounting.settle("bad input to the workers and the admin operations (" + hostile.size()
                + " hostile requests)", 0, Map.of(), 0, PATIENCE);
        log.info("FAULT bad input to the workers and the admin operations: {} hostile requests answered {}", hostile.size(), answers.counts());

        assertThat(answers.wrong()).as("hostile requests not refused with a 4xx problem").isEmpty();
        assertThat(knobsAfter).as("fault knobs after the hostile requests").isEqualTo(knobsBefore);
        assertThat(report.unasked()).as("orders applied from a hostile request").isZero();
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            for (UUID orderId : hostileOrders) {
                assertThat(client.get(system.uri(worker).resolve("/api/processed/" + orderId))).as("hostile order applied").isNull();
            }
            JsonNode stats = client.get(system.uri(worker).resolve("/api/stats"));
            assertThat(stats.get("consuming").asBoolean()).isTrue();
            assertThat(stats.get("maxRatePerSecond").isNull()).as(worker + " rate cap after the hostile requests").isTrue();
        }
    }

    @Test
    @Order(3)
    void poisonMessagesEndInTheDeadLetterQueuesAndValidOrdersKeepFlowing() throws Exception {
        // The same load without poison first: the rate the poison is compared with.
        Accounting clean = Accounting.begin(system, smtp);
        long cleanStart = System.nanoTime();
        FixedRateLoad cleanLoad = FixedRateLoad.start(orderService(), RATE, LOAD);
        FixedRateLoad.Result cleanResult = cleanLoad.await();
        long cleanLoadEnd = System.nanoTime();
        Accounting.Report cleanReport = clean.settle("poison, clean run", cleanResult.offered(), cleanResult.accepted(),
                cleanResult.refusedCount(), PATIENCE);
        double cleanSeconds = (System.nanoTime() - cleanStart) / 1e9;
        double cleanDrain = (System.nanoTime() - cleanLoadEnd) / 1e9;
        Accounting.assertNothingLostNorTwice(cleanReport, cleanResult);

        Accounting accounting = Accounting.begin(system, smtp);
        long start = System.nanoTime();
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);
        List<String> malformed = new ArrayList<>();
        List<String> unknownVersion = new ArrayList<>();
        List<String> alwaysFailing = new ArrayList<>();
        int appliedWhileAPoisonWasRetried = 0;
        for (int i = 0; i < 10; i++) {
            malformed.add(poison("malformed-json"));
            unknownVersion.add(poison("unknown-version"));
            if (i == 3) {
                appliedWhileAPoisonWasRetried = appliedWhileRetried(accounting, alwaysFailing);
            }
            else if (i % 3 == 0) {
                alwaysFailing.add(alwaysFailingPoison());
            }
            // One of each every 0.8 s, all within the load's 10 s.
            double next = (i + 1) * 0.8;
            await().atMost(Duration.ofSeconds(5)).until(() -> load.elapsedSeconds() >= next);
        }
        FixedRateLoad.Result result = load.await();
        long loadEnd = System.nanoTime();
        Accounting.Report report = accounting.settle("poison messages", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        double seconds = (System.nanoTime() - start) / 1e9;
        double drain = (System.nanoTime() - loadEnd) / 1e9;

        Map<Service, Map<String, Integer>> parked = new HashMap<>();
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            List<String> expected = new ArrayList<>(malformed);
            expected.addAll(unknownVersion);
            if (worker == Service.ANALYTICS_WORKER) {
                expected.addAll(alwaysFailing);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(deadLetterAttempts(worker).keySet())
                    .as("poison parked by %s", worker.module()).containsAll(expected));
            parked.put(worker, deadLetterAttempts(worker));
        }
        double cleanRate = cleanResult.accepted().size() / cleanSeconds;
        double poisonedRate = result.accepted().size() / seconds;
        log.info("FAULT poison: {} malformed, {} unknown version, {} always failing; {} valid orders applied while one was retried; "
                        + "valid orders applied at {} orders/s with poison against {} without (ratio {}); all applied {} s after the load's "
                        + "end with poison, {} s without",
                malformed.size(), unknownVersion.size(), alwaysFailing.size(), appliedWhileAPoisonWasRetried,
                "%.1f".formatted(poisonedRate), "%.1f".formatted(cleanRate),
                "%.2f".formatted(poisonedRate / cleanRate), "%.1f".formatted(drain), "%.1f".formatted(cleanDrain));

        Accounting.assertNothingLostNorTwice(report, result);
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            for (String eventId : malformed) {
                assertThat(parked.get(worker).get(eventId)).as("attempts at a malformed message").isEqualTo(1);
            }
            for (String eventId : unknownVersion) {
                assertThat(parked.get(worker).get(eventId)).as("attempts at an unknown version").isEqualTo(1);
            }
        }
        for (String eventId : alwaysFailing) {
            assertThat(parked.get(Service.ANALYTICS_WORKER).get(eventId)).as("attempts at a message its handler always fails")
                    .isEqualTo(MAX_ATTEMPTS);
        }
        assertThat(appliedWhileAPoisonWasRetried).as("valid orders the analytics worker applied while a poison message was retried")
                .isPositive();
    }

    @Test
    @Order(4)
    void aSlowWorkerHoldsNoOtherBackAndItsQueueDrainsAfterwards() throws Exception {
        // No clock decides this test: the analytics worker takes at most 20 orders/s (two consumers, 100 ms each)
        // against 50/s offered, so it needs 25 s for the 500 orders of a 10 s load, and the claim is an order of
        // events: the email and inventory workers have applied every order while the analytics worker still holds
        // a backlog, which it then drains.
        Accounting accounting = Accounting.begin(system, smtp);
        FixedRateLoad.Result result;
        int analyticsAppliedWhenOthersWereDone;
        long analyticsBacklogWhenOthersWereDone;
        try {
            setWorkerLatency(Service.ANALYTICS_WORKER, Duration.ofMillis(100));
            FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);
            result = load.await();
            for (Service worker : List.of(Service.EMAIL_WORKER, Service.INVENTORY_WORKER)) {
                await().atMost(PATIENCE).until(() -> accounting.newlyApplied(worker).containsAll(result.accepted().keySet()));
            }
            analyticsBacklogWhenOthersWereDone = broker.depth(Topology.ANALYTICS_QUEUE);
            analyticsAppliedWhenOthersWereDone = (int) accounting.newlyApplied(Service.ANALYTICS_WORKER).stream()
                    .filter(result.accepted()::containsKey).count();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> broker.depth(Topology.ANALYTICS_QUEUE) == 0);
        }
        finally {
            setWorkerLatency(Service.ANALYTICS_WORKER, Duration.ZERO);
        }
        Accounting.Report report = accounting.settle("slow consumer", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        log.info("FAULT slow consumer: when email and inventory had applied all {} orders, analytics had applied {} and held {} in its queue",
                result.accepted().size(), analyticsAppliedWhenOthersWereDone, analyticsBacklogWhenOthersWereDone);

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(analyticsAppliedWhenOthersWereDone).as("orders the slow worker had applied when the others had applied them all")
                .isLessThan(result.accepted().size());
        assertThat(analyticsBacklogWhenOthersWereDone).as("the slow worker's backlog when the others were done").isPositive();
    }

    @Test
    @Order(5)
    void mailsWaitWhileSmtpIsUnreachableAndAreSentOnceWhenItIsBack() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        long deadLetteredBefore = client.get(system.uri(Service.EMAIL_WORKER).resolve("/api/stats")).get("deadLettered").asLong();
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);
        await().until(() -> load.acceptedSoFar() >= FAULT_AFTER);
        int mailsAtCut;
        int mailsAtRestore;
        smtpProxy.cut();
        try {
            mailsAtCut = smtp.getReceivedMessages().length;
            int acceptedAtCut = load.acceptedSoFar();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedSoFar() >= acceptedAtCut + ACCEPTED_DURING_FAULT);
            mailsAtRestore = smtp.getReceivedMessages().length;
        }
        finally {
            smtpProxy.restore();
        }
        FixedRateLoad.Result result = load.await();
        Accounting.Report report = accounting.settle("SMTP outage", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        JsonNode stats = client.get(system.uri(Service.EMAIL_WORKER).resolve("/api/stats"));
        log.info("FAULT SMTP outage: {} mails arrived while SMTP was cut (in flight at the cut); {} sent again after an unanswered "
                + "send; email-worker stats {}", mailsAtRestore - mailsAtCut, report.sentAgain(), stats);

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(mailsAtRestore - mailsAtCut).as("mails sent while SMTP was unreachable").isLessThanOrEqualTo(5);
        assertThat(stats.get("deadLettered").asLong() - deadLetteredBefore).as("mails dead-lettered because of the outage").isZero();
    }

    /**
     * The one duplicate the system cannot rule out, made to happen on purpose: the proxy in front of the SMTP server lets a
     * mail's data through whole, then drops the connection when the server's reply ({@code 250}) comes back. The server
     * has the mail; the worker cannot know it, and sends it again.
     */
    @Test
    @Order(6)
    void aMailWhoseReplyIsLostIsSentAgainWithItsMessageIdAndCountedApartNotAsAppliedTwice() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);
        await().until(() -> load.acceptedSoFar() >= FAULT_AFTER);
        TcpProxy.Interception lost = smtpProxy.loseNextReplyTo(SMTP_END_OF_DATA);
        assertThat(lost.awaitStruck(Duration.ofSeconds(30))).as("a reply to a mail's data lost").isTrue();
        FixedRateLoad.Result result = load.await();
        Accounting.Report report = accounting.settle("SMTP reply lost", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        log.info("FAULT SMTP reply lost: {} mail sent again after its unanswered send ({} unanswered sends counted)",
                report.sentAgain(), report.unanswered());

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(report.unanswered()).as("unanswered sends the email worker counted").isEqualTo(1);
        assertThat(report.sentAgain()).as("mails sent again after an unanswered send").isEqualTo(1);
    }

    @Test
    @Order(7)
    void aWorkerKilledMidLoadGetsItsUnacknowledgedMessagesAgainAndAppliesEachOnce() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        ServiceProcess inventory = system.process(Service.INVENTORY_WORKER);
        // Slower than the load, so that a backlog builds and it holds a prefetch of unacknowledged messages when it is
        // killed (the restarted process starts with its knobs at zero).
        setWorkerLatency(Service.INVENTORY_WORKER, Duration.ofMillis(100));
        // Longer than the others: the backlog takes a few seconds to build before the kill, and the load goes on after it.
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD.multipliedBy(3).dividedBy(2));
        await().until(() -> load.acceptedSoFar() >= FAULT_AFTER);
        await().atMost(Duration.ofSeconds(10)).until(() -> broker.queue(Topology.INVENTORY_QUEUE).getMessagesUnacknowledged() >= 10);
        long unacknowledged = broker.queue(Topology.INVENTORY_QUEUE).getMessagesUnacknowledged();
        inventory.kill();
        double killedAt = load.elapsedSeconds();
        int acceptedAtKill = load.acceptedSoFar();
        // Down for 2 s while the load goes on: the broker keeps what arrives meanwhile.
        await().atMost(Duration.ofSeconds(5)).until(() -> load.elapsedSeconds() >= killedAt + 2);
        int acceptedWhileDown = load.acceptedSoFar() - acceptedAtKill;
        inventory.start();
        inventory.awaitHealthy(Duration.ofMinutes(2));
        FixedRateLoad.Result result = load.await();
        Accounting.Report report = accounting.settle("inventory-worker SIGKILL", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        log.info("FAULT worker SIGKILL: inventory-worker held about {} unacknowledged messages when killed at {} s; {} orders accepted while "
                + "it was down; after restart {}", unacknowledged, "%.1f".formatted(killedAt), acceptedWhileDown,
                client.get(system.uri(Service.INVENTORY_WORKER).resolve("/api/stats")));

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(unacknowledged).as("messages the killed worker held unacknowledged").isGreaterThanOrEqualTo(10);
    }

    @Test
    @Order(8)
    void checkoutsAreAcceptedWhileTheBrokerIsStoppedAndEverythingIsAppliedOnceItIsBack() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        // Longer than the others: rabbitmqctl alone takes seconds to stop and start the broker.
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD.multipliedBy(2));
        await().until(() -> load.acceptedSoFar() >= FAULT_AFTER);
        int acceptedWhileDown;
        long downAt = System.nanoTime();
        double downSeconds;
        try {
            broker.stopApp();
            int acceptedAtStop = load.acceptedSoFar();
            await().atMost(Duration.ofSeconds(30)).until(() -> load.acceptedSoFar() >= acceptedAtStop + ACCEPTED_DURING_FAULT / 2);
            acceptedWhileDown = load.acceptedSoFar() - acceptedAtStop;
        }
        finally {
            broker.startApp();
            downSeconds = (System.nanoTime() - downAt) / 1e9;
        }
        FixedRateLoad.Result result = load.await();
        Accounting.Report report = accounting.settle("broker stopped", result.offered(), result.accepted(), result.refusedCount(), PATIENCE);
        log.info("FAULT broker stopped: down {} s, {} orders accepted while it was", "%.1f".formatted(downSeconds), acceptedWhileDown);

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(result.refusedCount()).as("checkouts refused").isZero();
        assertThat(result.unanswered()).as("checkouts unanswered").isEmpty();
    }

    @Test
    @Order(9)
    void anOrderServiceHaltedBetweenCommitAndPublishPublishesWhatWasLeftAfterItsRestart() throws Exception {
        Accounting accounting = Accounting.begin(system, smtp);
        ServiceProcess orderService = system.process(Service.ORDER_SERVICE);
        FixedRateLoad load = FixedRateLoad.start(orderService(), RATE, LOAD);
        await().until(() -> load.acceptedSoFar() >= FAULT_AFTER);
        try {
            HttpResponse<String> halt = http.send(admin(HttpRequest.newBuilder(orderService().resolve("/api/admin/faults")))
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"afterCommitFault\":\"HALT\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(halt.statusCode()).isEqualTo(200);
        }
        catch (IOException ex) {
            // Under load the next commit can come before the answer: the JVM halted with the answer unsent.
            log.info("The order-service halted before it answered the fault knob: {}", ex.toString());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !orderService.isAlive());
        orderService.start();
        orderService.awaitHealthy(Duration.ofMinutes(2));
        int unanswered = load.await().unanswered().size();
        // The client offers again, with the same key, every order whose answer it never got.
        FixedRateLoad.Result result = load.offerUnansweredAgain(3);
        UUID halted = haltedOrder(orderService);
        Accounting.Report report = accounting.settle("order-service halted between commit and publish", result.offered(), result.accepted(),
                result.refusedCount(), PATIENCE);
        log.info("FAULT order-service halt: halted at order {}; {} orders unanswered while it was down, offered again after the restart: "
                + "{} replayed (committed before the halt), the rest placed anew", halted, unanswered, result.replayed().size());

        Accounting.assertNothingLostNorTwice(report, result);
        assertThat(result.accepted()).as("the order committed when the JVM halted").containsKey(halted);
        assertThat(unanswered).as("orders offered while the order-service was down").isPositive();
        assertThat(result.unanswered()).as("orders still unanswered after the restart").isEmpty();
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            assertThat(client.get(system.uri(worker).resolve("/api/processed/" + halted))).as("halted order applied by %s", worker.module())
                    .isNotNull();
        }
    }

    /** The order the order-service said it halted at, from its log. */
    private static UUID haltedOrder(ServiceProcess orderService) throws IOException {
        Matcher matcher = Pattern.compile("halting between commit and publish of order ([0-9a-f-]{36})")
                .matcher(Files.readString(orderService.logFile()));
        UUID halted = null;
        while (matcher.find()) {
            halted = UUID.fromString(matcher.group(1));
        }
        assertThat(halted).as("the order-service logged where it halted").isNotNull();
        return halted;
    }

    /** Credentials of the system under test (FlashSaleSystem's settings). */
    private static final String ADMIN_CREDENTIALS = "system-test:system-test";
    private static final String SERVICE_CREDENTIALS = "system-test-service:system-test-service";

    /** A hostile request to any endpoint: which one, how, and with which credentials (null for none). */
    private record Hostile(String target, String method, URI uri, HostileRequests.Request request, String credentials) {

        String kind() {
            return request == null ? "hostile path" : request.kind();
        }
    }

    /**
     * What the hostile requests were answered, counted by answer, and those not refused with a 4xx problem (also what
     * Tomcat refuses itself, a header over its limit, comes as a problem: ProblemReportValve).
     */
    private record HostileAnswers(Map<String, Integer> counts, List<String> wrong) {
    }

    /** Sends the hostile requests, four at a time, and sorts their answers. */
    private HostileAnswers sendAll(List<Hostile> hostile) throws Exception {
        Map<String, Integer> counts = new TreeMap<>();
        List<String> wrong = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> sent = hostile.stream().map(request -> pool.submit(() -> send(request))).toList();
            for (int i = 0; i < sent.size(); i++) {
                String answer = sent.get(i).get();
                counts.merge(answer, 1, Integer::sum);
                if (!answer.startsWith("4") || answer.contains("no problem body")) {
                    wrong.add(hostile.get(i).target() + " (" + hostile.get(i).kind() + ") -> " + answer);
                }
            }
        }
        finally {
            pool.shutdownNow();
        }
        return new HostileAnswers(counts, wrong);
    }

    /** Sends one hostile request; answers its status, or what went wrong on the way. */
    private String send(Hostile hostile) {
        HostileRequests.Request request = hostile.request();
        HttpRequest.BodyPublisher body = request == null ? HttpRequest.BodyPublishers.noBody() : request.chunked()
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(request.body()))
                : HttpRequest.BodyPublishers.ofByteArray(request.body());
        // No Expect: 100-continue: the JDK's client can wait forever for the answer to it. A body the service refuses
        // unread is sent all the same, and Tomcat reads it to the end (up to 2 MB, its maxSwallowSize, more than any
        // body here) before it closes the connection, so the refusal is never lost to a reset.
        HttpRequest.Builder builder = HttpRequest.newBuilder(hostile.uri()).timeout(Duration.ofSeconds(30)).method(hostile.method(), body);
        if (hostile.credentials() != null) {
            builder.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(hostile.credentials().getBytes(StandardCharsets.UTF_8)));
        }
        if (request != null && request.contentType() != null) {
            builder.header("Content-Type", request.contentType());
        }
        if (request != null && request.idempotencyKey() != null) {
            builder.header("Idempotency-Key", request.idempotencyKey());
        }
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            boolean problem = response.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json");
            return response.statusCode() + (problem ? "" : " (no problem body)");
        }
        catch (IOException ex) {
            // The server may close the connection on a body far over the limit after it answered: not a 5xx.
            return "connection closed (" + ex.getClass().getSimpleName() + ")";
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Publishes a poison message through the order-service's admin API; answers its event id. */
    private String poison(String kind) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(orderService().resolve("/api/admin/poison?kind=" + kind)))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("poison %s published", kind).isEqualTo(202);
        return Checkout.JSON.readTree(response.body()).get("messageId").asString();
    }

    /**
     * A well-formed order.placed that the analytics-worker's handler fails on at every attempt: its revenue does not fit
     * the sales table's column, as a bug or a producer's mistake would have it. Straight into the analytics queue,
     * so that only the worker whose handler fails sees it.
     */
    /**
     * Publishes an always-failing poison message and counts the valid orders the analytics worker applies while it is
     * tried and tried again (its backoff alone is 1.5 s). The count is read before each check that the poison is still
     * unparked, so every order counted was applied while it was.
     */
    private int appliedWhileRetried(Accounting accounting, List<String> alwaysFailing) throws Exception {
        int appliedBefore = accounting.newlyApplied(Service.ANALYTICS_WORKER).size();
        String eventId = alwaysFailingPoison();
        alwaysFailing.add(eventId);
        int appliedWhileRetried = 0;
        while (true) {
            int applied = accounting.newlyApplied(Service.ANALYTICS_WORKER).size();
            if (deadLetterAttempts(Service.ANALYTICS_WORKER).containsKey(eventId)) {
                return appliedWhileRetried;
            }
            appliedWhileRetried = applied - appliedBefore;
            Thread.sleep(50);
        }
    }

    private String alwaysFailingPoison() {
        UUID eventId = UUID.randomUUID();
        UUID orderId = UUID.randomUUID();
        String payload = """
                {"eventId":"%s","orderId":"%s","customer":{"id":"poison","email":"poison@example.com"},
                 "lines":[{"sku":"POISON-1","quantity":1,"unitPrice":1000000000000000000000}],"total":1000000000000000000000,
                 "currency":"EUR","occurredAt":"2026-01-01T00:00:00Z"}""".formatted(eventId, orderId);
        Map<String, Object> properties = Map.of("message_id", eventId.toString(), "content_type", "application/json", "delivery_mode", 2,
                "headers", Map.of("event-type", "order.placed", "event-version", 1, "order-id", orderId.toString()));
        assertThat(broker.publishToQueue(Topology.ANALYTICS_QUEUE, properties, payload)).as("always failing poison routed").isTrue();
        return eventId.toString();
    }

    /** A worker's parked dead letters: event id to the attempts made before it was dead-lettered. */
    private Map<String, Integer> deadLetterAttempts(Service worker) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(system.uri(worker).resolve("/api/admin/dead-letters?limit=500")))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Integer> attempts = new HashMap<>();
        for (JsonNode deadLetter : Checkout.JSON.readTree(response.body()).get("deadLetters")) {
            attempts.put(deadLetter.get("eventId").asString(), deadLetter.get("attempts").asInt());
        }
        return attempts;
    }

    /** GET with the admin credentials, as text. */
    private String adminGet(URI uri) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(uri)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s: %s", uri, response.body()).isEqualTo(200);
        return response.body();
    }

    /** PUT a JSON body with the admin credentials; it must be taken. */
    private void put(URI uri, String json) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(uri)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT %s %s: %s", uri, json, response.body()).isEqualTo(200);
    }

    /** DELETE with the admin credentials; it must be taken. */
    private void delete(URI uri) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(uri)).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("DELETE %s: %s", uri, response.body()).isEqualTo(200);
    }

    private void setWorkerLatency(Service worker, Duration latency) throws Exception {
        HttpResponse<String> response = http.send(admin(HttpRequest.newBuilder(system.uri(worker).resolve("/api/admin/faults")))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"failureRate\":0,\"latency\":\"%s\",\"crashRate\":0}".formatted(latency)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("fault knobs of %s: %s", worker.module(), response.body()).isEqualTo(200);
    }

    private static HttpRequest.Builder admin(HttpRequest.Builder request) {
        return request.timeout(Duration.ofSeconds(10)).header("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(ADMIN_CREDENTIALS.getBytes(StandardCharsets.UTF_8)));
    }

    private static URI orderService() {
        return system.uri(Service.ORDER_SERVICE);
    }
}
