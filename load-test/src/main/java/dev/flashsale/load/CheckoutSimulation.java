package dev.flashsale.load;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Session;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.responseTimeInMillis;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/**
 * The Gatling simulation of one {@link LoadStream}: each virtual user arrives on schedule (open model), places
 * one order with an {@code Idempotency-Key} of its own, and leaves; the answer goes to the {@link RequestLog}.
 *
 * <p>Gatling creates simulations by reflection, so the stream to run is handed over through {@link #prepare}.
 */
public class CheckoutSimulation extends Simulation {

    private static volatile LoadStream stream;
    private static volatile List<String> baseUrls;
    private static volatile RequestLog log;

    private static final String[] SKUS = { "SKU-1", "SKU-2", "SKU-3" };
    private static final AtomicLong SEQUENCE = new AtomicLong();

    /**
     * Sets what the next simulation run sends, where, and where it records the answers. With several base URLs (the
     * instances of a scaled checkout) each virtual user goes to the next in turn, as a round-robin load balancer would.
     */
    static void prepare(LoadStream next, List<String> urls, RequestLog into) {
        if (urls.isEmpty()) {
            throw new IllegalArgumentException("No checkout to send " + next.name() + " to");
        }
        stream = next;
        baseUrls = List.copyOf(urls);
        log = into;
    }

    public CheckoutSimulation() {
        LoadStream load = stream;
        RequestLog requests = log;
        HttpProtocolBuilder protocol = http.baseUrls(baseUrls)
                .contentTypeHeader("application/json")
                .acceptHeader("application/json")
                // One connection pool for all virtual users, as a fleet of browsers behind a proxy would have:
                // without it every arriving user would open a TCP connection of its own.
                .shareConnections()
                .disableCaching();

        ScenarioBuilder checkout = scenario(load.name())
                .exec(session -> order(session, load))
                .exec(http(load.name()).post(load.checkout().path())
                        .header("Idempotency-Key", session -> session.getString("key"))
                        .body(StringBody(session -> session.getString("body")))
                        .check(status().saveAs("status"))
                        .check(responseTimeInMillis().saveAs("latency"))
                        .check(status().is(session -> session.getBoolean("valid") ? load.checkout().acceptedStatus() : 400))
                        .check(jsonPath("$.orderId").optional().saveAs("orderId")))
                .exec(session -> record(session, requests));

        setUp(checkout.injectOpen(load.ramp()
                ? rampUsersPerSec(1).to(load.rate()).during(load.duration())
                : constantUsersPerSec(load.rate()).during(load.duration())))
                .protocols(protocol);
    }

    /** Makes up the user's order: 1 to 3 units of one of three SKUs at 9.99, or now and then an invalid one. */
    private static Session order(Session session, LoadStream load) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        long n = SEQUENCE.incrementAndGet();
        boolean valid = random.nextDouble() >= load.invalidShare();
        String sku = SKUS[random.nextInt(SKUS.length)];
        int quantity = valid ? random.nextInt(1, 4) : 0;
        boolean express = valid && random.nextDouble() < load.expressShare();
        String body = """
                {"customer":{"id":"c-%d","email":"buyer%d@example.com"},\
                "lines":[{"sku":"%s","quantity":%d,"unitPrice":9.99}],"currency":"EUR"%s}"""
                .formatted(n, n, sku, quantity, express ? ",\"priority\":\"express\"" : "");
        return session.set("key", load.name() + "-" + UUID.randomUUID())
                .set("body", body)
                .set("valid", valid)
                .set("express", express)
                .set("sku", sku)
                .set("quantity", quantity)
                .set("sentAt", System.currentTimeMillis());
    }

    private static Session record(Session session, RequestLog requests) {
        int status = session.contains("status") ? session.getInt("status") : 0;
        int latency = session.contains("latency") ? session.getInt("latency") : -1;
        boolean valid = session.getBoolean("valid");
        String orderId = session.contains("orderId") ? session.getString("orderId") : null;
        boolean accepted = valid && orderId != null && status >= 200 && status < 300;
        requests.add(new RequestLog.Entry(session.getLong("sentAt"), latency, status, valid,
                accepted ? UUID.fromString(orderId) : null, Map.of(session.getString("sku"), session.getInt("quantity")),
                session.getString("key"), session.getString("body"), false, session.getBoolean("express")));
        return session;
    }
}
