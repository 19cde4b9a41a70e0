package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.events.Topology;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TestBroker;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;
import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Grafana dashboard and the alert rules against the whole system (the four built services as processes, the real
 * broker in a virtual host of its own, a real SMTP server) and a real Prometheus, started with the configuration of
 * {@code docker/prometheus/prometheus.yml} pointed at this system, and the real {@code alerts.yml}, unchanged.
 *
 * <p>What promtool's unit tests ({@link AlertRulesTests}) cannot see: that the metrics the dashboard and the rules
 * name are those the services and RabbitMQ export, that every panel shows data, and that a worker which stops
 * consuming really fires its alert, after the rule's {@code for} and not before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ObservabilitySystemTests {

    private static final Logger log = LoggerFactory.getLogger(ObservabilitySystemTests.class);

    private static final Path PROMETHEUS_DIRECTORY = AlertRulesTests.PROMETHEUS_DIRECTORY;
    private static final Path DASHBOARD = EndToEndSystemTests.repository().resolve("docker/grafana/dashboards/flashsale.json");

    /** RabbitMQ's Prometheus plugin's port, where prometheus.yml's "rabbitmq-1:15692" (and -2, -3) is found on this machine. */
    private static final int RABBITMQ_PROMETHEUS_PORT = 15692;

    /** Series Prometheus makes itself, for each target and each alert: no scrape has them. */
    private static final Set<String> MADE_BY_PROMETHEUS = Set.of("up", "scrape_duration_seconds", "scrape_samples_scraped",
            "scrape_samples_post_metric_relabeling", "scrape_series_added", "ALERTS", "ALERTS_FOR_STATE");

    private static final String CONSUMER_GONE = "WorkQueueWithoutConsumers";

    /** The queues the queue alerts watch: each worker's, and the email worker's express queue. */
    private static final List<String> WORK_QUEUES = Stream.concat(Topology.WORK_QUEUES.stream(),
            Topology.WORK_QUEUES.stream().flatMap(queue -> Topology.expressQueue(queue).stream())).toList();

    private static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Checkout client = new Checkout();

    private static GreenMail smtp;
    private static TestBroker broker;
    private static String virtualHost;
    private static FlashSaleSystem system;
    private static PrometheusServer prometheus;
    private static Map<String, Object> prometheusConfiguration;

    @BeforeAll
    static void startSystemAndPrometheus() throws Exception {
        Path work = EndToEndSystemTests.workDirectory("observability");
        smtp = NoDelayGreenMail.startOnFreePort();
        broker = TestBroker.get();
        // A virtual host of its own: Prometheus scrapes only its queues, whatever the other tests' systems do with theirs.
        virtualHost = broker.newVirtualHost("observability");
        system = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                .broker(broker.host(), broker.port(), broker.username(), broker.password(), virtualHost)
                .smtp("127.0.0.1", smtp.getSmtp().getPort())
                .property("flashsale.worker.costs.scale", String.valueOf(EndToEndSystemTests.COST_SCALE))
                .jvmOption("-XX:TieredStopAtLevel=1")
                .workDirectory(work)
                .start();
        placeOrdersEachWayAndAwaitEveryWorker();
        prometheusConfiguration = prometheusConfiguration();
        prometheus = PrometheusServer.start(work.resolve("prometheus"), dump(prometheusConfiguration));
    }

    @AfterAll
    static void stopPrometheusAndSystem() {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
            if (system != null) {
                system.close();
            }
        }
        finally {
            if (smtp != null) {
                smtp.stop();
            }
        }
    }

    @Test
    @Order(1)
    void everyMetricTheDashboardAndTheAlertsNameIsExportedByTheSystem() {
        Set<String> exported = new TreeSet<>(MADE_BY_PROMETHEUS);
        for (URI target : scrapeTargets(prometheusConfiguration)) {
            exported.addAll(sampleNames(get(target)));
        }

        Map<String, Set<String>> missing = new LinkedHashMap<>();
        for (String expression : Stream.concat(dashboardExpressions().stream(), alertRules().values().stream().map(rule -> rule.expr))
                .toList()) {
            Set<String> names = PromQl.metricNames(expression);
            assertThat(names).as("the metrics of %s", expression).isNotEmpty();
            names.removeAll(exported);
            if (!names.isEmpty()) {
                missing.put(expression, names);
            }
        }
        assertThat(missing).as("expressions naming metrics that no scrape of the running system has (expression=missing names)")
                .isEmpty();
    }

    @Test
    @Order(2)
    void prometheusScrapesEveryTargetOfItsConfiguration() {
        List<URI> expected = scrapeTargets(prometheusConfiguration);

        // Its first scrape of each comes within a scrape interval of its start. A target is down also when Prometheus
        // cannot parse its scrape: Debian's Prometheus 2.42 refuses the whole of one with an exemplar on a _count.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prometheus.targets())
                .as("Prometheus's targets").hasSize(expected.size())
                .allSatisfy(target -> assertThat(target.get("health").asString())
                        .as("%s: %s", target.get("scrapeUrl").asString(), target.get("lastError").asString()).isEqualTo("up")));
    }

    @Test
    @Order(3)
    void everyPanelOfTheDashboardShowsData() {
        // What Grafana sends for its variables: this test's virtual host, a rate over a few scrapes.
        List<String> queries = dashboardExpressions().stream()
                .map(expression -> expression.replace("$vhost", virtualHost).replace("$__rate_interval", "10s")).toList();

        // Rates need two scrapes in their window: seconds after Prometheus started.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(queries.stream()
                .filter(query -> prometheus.query(query).isEmpty()).toList()).as("queries without a series").isEmpty());
    }

    @Test
    @Order(4)
    void aWorkerThatStopsConsumingFiresTheConsumerAlertAfterItsForAndNotBefore() throws Exception {
        Duration hold = prometheusDuration(alertRules().get(CONSUMER_GONE).hold);
        String queue = Topology.INVENTORY_QUEUE;
        // Not firing before: Prometheus sees a consumer on every work queue, and no alert at all. (Just after the services
        // started, the broker may still report a queue without the consumer it has since got: wait for its next figures.)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(consumersSeenByPrometheus()).as("consumers of each work queue").containsOnlyKeys(WORK_QUEUES)
                    .allSatisfy((name, consumers) -> assertThat(consumers).as(name).isPositive());
            assertThat(prometheus.alerts()).as("alerts pending or firing on the healthy system").isEmpty();
        });

        Instant stopped = Instant.now();
        consume(Service.INVENTORY_WORKER, false);
        JsonNode alert;
        Instant fired;
        List<String> firing;
        JsonNode consumers;
        try {
            // RabbitMQ refreshes a queue's figures every 5 s; then a scrape and an evaluation, a second each.
            alert = await().atMost(hold.plusSeconds(30)).pollInterval(Duration.ofMillis(500))
                    .until(() -> alert(CONSUMER_GONE, queue), found -> found != null && found.get("state").asString().equals("firing"));
            fired = Instant.now();
            screenshotIfAsked();
            // Before the worker resumes: then the alert goes, and the queue has a consumer again.
            firing = prometheus.alerts().stream().filter(active -> active.get("state").asString().equals("firing"))
                    .map(active -> active.get("labels").get("alertname").asString() + " " + active.get("labels").path("queue").asString())
                    .toList();
            consumers = prometheus.query("rabbitmq_detailed_queue_consumers{vhost=\"%s\", queue=\"%s\"}[%ds]"
                    .formatted(virtualHost, queue, hold.plusMinutes(1).toSeconds())).get(0).get("values");
        }
        finally {
            consume(Service.INVENTORY_WORKER, true);
        }

        // Since the first scrape that saw no consumer (Prometheus stamps a sample with its scrape's start, which can be
        // before `stopped` if that scrape was under way: this, not the wall clock, is what the rule's `for` counts from).
        Instant gone = firstOfTheLastZeros(consumers);
        log.info("{} for {} fired {} s after the worker stopped consuming, {} s after Prometheus saw its queue without a consumer "
                + "(for: {})", CONSUMER_GONE, queue, Duration.between(stopped, fired).toMillis() / 1000.0,
                Duration.between(gone, fired).toMillis() / 1000.0, hold);
        assertThat(Instant.parse(alert.get("activeAt").asString())).as("pending since").isAfterOrEqualTo(gone);
        assertThat(Duration.between(gone, fired)).as("from the first scrape without a consumer to firing").isGreaterThanOrEqualTo(hold);
        assertThat(alert.get("labels").get("vhost").asString()).isEqualTo(virtualHost);
        assertThat(alert.get("labels").get("severity").asString()).isEqualTo("critical");
        // Only this queue's: the others kept their consumers. (Others may be pending, e.g. a scrape that timed out once.)
        assertThat(firing).as("alerts firing").containsExactly(CONSUMER_GONE + " " + queue);
        // And it goes once the worker consumes again.
        await().atMost(Duration.ofSeconds(30)).until(() -> alert(CONSUMER_GONE, queue) == null);
    }

    /**
     * With {@code -Dflashsale.prometheus-screenshot=docs/prometheus.png} (relative to the repository), the README's
     * picture of the alert: Prometheus's own graph page of each work queue's consumers, as it is when the alert fires.
     */
    private static void screenshotIfAsked() {
        String target = System.getProperty("flashsale.prometheus-screenshot");
        if (target == null) {
            return;
        }
        String consumers = "sum by (queue) (rabbitmq_detailed_queue_consumers{vhost=\"%s\", queue=~\".*order-placed.*\", queue!~\".*dlq\"})"
                .formatted(virtualHost);
        URI page = prometheus.uri().resolve("/graph?g0.expr=" + URLEncoder.encode(consumers, StandardCharsets.UTF_8)
                + "&g0.tab=0&g0.range_input=2m");
        ChromeDriver browser = Chromium.start(system.workDirectory());
        try {
            browser.manage().window().setSize(new Dimension(1400, 1050));
            browser.get(page.toString());
            // Debian's Prometheus serves its classic UI: a Rickshaw chart, drawn in SVG once the query has answered.
            await().atMost(Duration.ofSeconds(30)).until(() -> !browser.findElements(By.cssSelector(".rickshaw_graph svg path")).isEmpty());
            Path file = EndToEndSystemTests.repository().resolve(target);
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
            log.info("Prometheus's graph page written to {}", file);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        finally {
            browser.quit();
        }
    }

    /**
     * When the last run of zeros of a range query's samples ({@code [[seconds, "value"], ...]}) began; fails unless the
     * samples end with zeros after a sample that was not one (the consumer was there, then gone).
     */
    private static Instant firstOfTheLastZeros(JsonNode samples) {
        int first = samples.size();
        while (first > 0 && Double.parseDouble(samples.get(first - 1).get(1).asString()) == 0) {
            first--;
        }
        assertThat(first).as("samples ending with zeros after a consumer: %s", samples).isBetween(1, samples.size() - 1);
        return Instant.ofEpochMilli(Math.round(samples.get(first).get(0).asDouble() * 1000));
    }

    /** A few orders each way, applied by every worker: the checkout's and the workers' histograms have observations. */
    private static void placeOrdersEachWayAndAwaitEveryWorker() throws Exception {
        URI orderService = system.uri(Service.ORDER_SERVICE);
        List<UUID> orders = new ArrayList<>(client.placeOrders(orderService, 5, 5).keySet());
        Checkout.Answer sync = client.post(orderService.resolve("/api/orders/sync"), Checkout.order(1));
        assertThat(sync.status()).as("the synchronous checkout").isEqualTo(201);
        orders.add(UUID.fromString(sync.json().get("orderId").asString()));
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            for (UUID order : orders) {
                await().atMost(Duration.ofSeconds(30)).until(() -> client.get(system.uri(worker).resolve("/api/processed/" + order)) != null);
            }
        }
    }

    /**
     * docker/prometheus/prometheus.yml, for this system: its targets on this machine (each service's port, the local
     * broker's Prometheus plugin), the detailed queue metrics of this test's virtual host only, the real alerts.yml, and
     * a scrape and an evaluation every second instead of every 5 s, so that the test waits for the rule's `for` and
     * little else.
     */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> prometheusConfiguration() throws Exception {
        Map<String, Object> config = new Yaml().load(Files.readString(PROMETHEUS_DIRECTORY.resolve("prometheus.yml")));
        config.put("global", Map.of("scrape_interval", "1s", "evaluation_interval", "1s"));
        config.put("rule_files", List.of(PROMETHEUS_DIRECTORY.resolve("alerts.yml").toAbsolutePath().normalize().toString()));
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            for (Map<String, Object> targets : (List<Map<String, Object>>) job.get("static_configs")) {
                // The broker's three nodes of docker compose are this test's one broker: scraped once.
                targets.put("targets", ((List<String>) targets.get("targets")).stream().map(ObservabilitySystemTests::onThisMachine).distinct().toList());
            }
            if ("/metrics/detailed".equals(job.get("metrics_path"))) {
                ((Map<String, Object>) job.computeIfAbsent("params", key -> new LinkedHashMap<>())).put("vhost", List.of(virtualHost));
            }
        }
        return config;
    }

    /** Where a target of docker compose's network ("inventory-worker:8082") is for this test. */
    private static String onThisMachine(String target) {
        String host = target.substring(0, target.lastIndexOf(':'));
        if (host.matches("rabbitmq(-\\d+)?")) {
            return broker.host() + ":" + RABBITMQ_PROMETHEUS_PORT;
        }
        Service service = Service.SYSTEM.stream().filter(candidate -> candidate.module().equals(host)).findFirst()
                .orElseThrow(() -> new IllegalStateException("prometheus.yml scrapes " + target + ", which this test does not run"));
        return "127.0.0.1:" + system.process(service).port();
    }

    /** The URL of every target of the configuration, with its job's path and parameters, as Prometheus scrapes it. */
    @SuppressWarnings("unchecked")
    private static List<URI> scrapeTargets(Map<String, Object> config) {
        List<URI> uris = new ArrayList<>();
        for (Map<String, Object> job : (List<Map<String, Object>>) config.get("scrape_configs")) {
            StringBuilder query = new StringBuilder();
            ((Map<String, List<String>>) job.getOrDefault("params", Map.of())).forEach((name, values) -> values.forEach(value ->
                    query.append(query.isEmpty() ? "?" : "&").append(name).append('=')
                            .append(URLEncoder.encode(value, StandardCharsets.UTF_8))));
            for (Map<String, Object> targets : (List<Map<String, Object>>) job.get("static_configs")) {
                for (String target : (List<String>) targets.get("targets")) {
                    uris.add(URI.create("http://" + target + job.getOrDefault("metrics_path", "/metrics") + query));
                }
            }
        }
        return uris;
    }

    private static String dump(Map<String, Object> config) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        return new Yaml(options).dump(config);
    }

    /** A rule of alerts.yml: its expression and its {@code for} ("0s" when it has none). */
    record Rule(String expr, String hold) {
    }

    /** The rules of alerts.yml, by alert name. */
    @SuppressWarnings("unchecked")
    static Map<String, Rule> alertRules() {
        try {
            Map<String, Object> file = new Yaml().load(Files.readString(PROMETHEUS_DIRECTORY.resolve("alerts.yml")));
            Map<String, Rule> rules = new LinkedHashMap<>();
            for (Map<String, Object> group : (List<Map<String, Object>>) file.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    rules.put((String) rule.get("alert"), new Rule((String) rule.get("expr"), (String) rule.getOrDefault("for", "0s")));
                }
            }
            return rules;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((.+),\\s*(\\w+)\\)");

    /**
     * Every query of the dashboard: its panels' and its variables'. A variable's {@code label_values(metric, label)} is
     * Grafana's, not PromQL: it is read as the query Grafana makes of it, {@code count by (label) (metric)}.
     */
    static List<String> dashboardExpressions() {
        try {
            JsonNode dashboard = Checkout.JSON.readTree(Files.readString(DASHBOARD));
            List<String> expressions = new ArrayList<>(dashboard.get("panels").findValuesAsString("expr"));
            for (String query : dashboard.path("templating").path("list").findValuesAsString("query")) {
                Matcher labelValues = LABEL_VALUES.matcher(query);
                expressions.add(labelValues.matches() ? "count by (" + labelValues.group(2) + ") (" + labelValues.group(1) + ")" : query);
            }
            assertThat(expressions).as("the dashboard's queries").isNotEmpty();
            return expressions;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The names of the samples of a scrape (Prometheus's text format): {@code name{labels} value} or {@code name value}. */
    private static Set<String> sampleNames(String exposition) {
        Set<String> names = new TreeSet<>();
        exposition.lines().filter(line -> !line.isBlank() && !line.startsWith("#"))
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }

    /** Each work queue of this test's virtual host with its consumers, as Prometheus last scraped them. */
    private static Map<String, Integer> consumersSeenByPrometheus() {
        Map<String, Integer> consumers = new LinkedHashMap<>();
        prometheus.query("rabbitmq_detailed_queue_consumers{vhost=\"" + virtualHost + "\"}").valueStream()
                .filter(series -> WORK_QUEUES.contains(series.get("metric").get("queue").asString()))
                .forEach(series -> consumers.put(series.get("metric").get("queue").asString(),
                        Integer.parseInt(series.get("value").get(1).asString())));
        return consumers;
    }

    /** The alert of that name for that queue, pending or firing; null when there is none. */
    private static JsonNode alert(String name, String queue) {
        return prometheus.alerts().stream()
                .filter(alert -> alert.get("labels").get("alertname").asString().equals(name)
                        && alert.get("labels").path("queue").asString().equals(queue))
                .findFirst().orElse(null);
    }

    /** Stops or resumes a worker's consumption, as an admin does (PUT /api/admin/consumption). */
    private static void consume(Service worker, boolean consuming) throws Exception {
        String credentials = FlashSaleSystem.ADMIN_USERNAME + ":" + FlashSaleSystem.ADMIN_PASSWORD;
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(system.uri(worker).resolve("/api/admin/consumption"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"consuming\":" + consuming + "}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("PUT consuming=%s: %s", consuming, response.body()).isEqualTo(200);
    }

    private static String get(URI uri) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as("GET %s", uri).isEqualTo(200);
            return response.body();
        }
        catch (IOException ex) {
            throw new IllegalStateException("GET " + uri + " failed: " + ex
                    + (uri.getPort() == RABBITMQ_PROMETHEUS_PORT ? " (enable rabbitmq_prometheus: scripts/test.sh does)" : ""), ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    /** A duration as Prometheus writes it: "1m", "90s", "1h30m". */
    static Duration prometheusDuration(String text) {
        Duration total = Duration.ZERO;
        Matcher part = DURATION_PART.matcher(text);
        int end = 0;
        while (part.lookingAt()) {
            long amount = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            });
            end = part.end();
            part.region(end, text.length());
        }
        if (end != text.length() || text.isEmpty()) {
            throw new IllegalArgumentException("Not a Prometheus duration: " + text);
        }
        return total;
    }
}
