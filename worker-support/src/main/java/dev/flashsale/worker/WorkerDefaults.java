package dev.flashsale.worker;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.Ordered;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The settings every worker starts from, written once; each is a default that a worker's
 * {@code application.yml}, a profile, an environment variable or a command-line option overrides.
 */
public class WorkerDefaults implements EnvironmentPostProcessor, Ordered {

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        Map<String, Object> defaults = new LinkedHashMap<>();
        listener(defaults);
        publishing(defaults);
        observability(defaults);
        database(defaults);
        // Errors of the admin API and of the framework itself (a malformed id, an unknown path) as RFC 9457 problems.
        defaults.put("spring.mvc.problemdetails.enabled", true);
        environment.getPropertySources().addLast(new MapPropertySource("flashsaleWorkerDefaults", defaults));
    }

    private static void listener(Map<String, Object> defaults) {
        // Acknowledgements on the wire (never autoAck): the worker's own consumer acknowledges each batch once it is
        // committed (OrderPlacedConsumer). Prefetch bounds what one consumer holds unacknowledged: two batches.
        defaults.put("spring.rabbitmq.listener.type", "simple");
        defaults.put("spring.rabbitmq.listener.simple.acknowledge-mode", "auto");
        defaults.put("spring.rabbitmq.listener.simple.prefetch", 100);
        // The work queue's consumers follow its backlog between these two (WorkerProperties.Consumers: how fast): two
        // while it is empty, so that one slow batch does not hold up the next; eight while it is long. A consumer holds a
        // database connection only while it commits a batch (its downstream calls come before), so eight of them share
        // the pool (Hikari's 10) with the express queue's, the dead letters' and the HTTP API.
        defaults.put("spring.rabbitmq.listener.simple.concurrency", 2);
        defaults.put("spring.rabbitmq.listener.simple.max-concurrency", 8);
        defaults.put("spring.rabbitmq.listener.simple.default-requeue-rejected", true);
    }

    private static void publishing(Map<String, Object> defaults) {
        // Dead letters and replays are published by the worker and count as sent only on the broker's confirm,
        // and only if they reached a queue: mandatory, so that an unroutable one comes back instead of vanishing.
        defaults.put("spring.rabbitmq.publisher-confirm-type", "correlated");
        defaults.put("spring.rabbitmq.publisher-returns", true);
        defaults.put("spring.rabbitmq.template.mandatory", true);
    }

    private static void observability(Map<String, Object> defaults) {
        // Traces (docs/observability.md): a publish span and a traceparent header for every message the worker sends
        // (a dead letter, a replay); every HTTP request traced; spans exported only once
        // management.opentelemetry.tracing.export.otlp.endpoint is set. A delivery's span follows the sampled flag of
        // the checkout's trace, whatever the probability here.
        defaults.put("spring.rabbitmq.template.observation-enabled", true);
        defaults.put("management.tracing.sampling.probability", 1.0);
        // A trace's exemplar only on counters and histogram buckets, not on a timer's _count as Micrometer does by
        // default: Prometheus before 2.43 (Debian 12's 2.42, which scripts/test.sh installs) drops the whole scrape for
        // one there ("metric name ..._count does not support exemplars").
        defaults.put("management.prometheus.metrics.export.properties[io.prometheus.exporter.exemplarsOnAllMetricTypes]", false);
        defaults.put("management.endpoints.web.exposure.include", "health,info,metrics,prometheus");
        defaults.put("management.endpoint.health.probes.enabled", true);
    }

    private static void database(Map<String, Object> defaults) {
        // One directory for every service's embedded database, as in the order-service: flashsale.data-dir.
        // WRITE_DELAY=0: H2 otherwise writes a commit to the file up to 500 ms later, and a worker killed in
        // that window loses a committed (and acknowledged) effect, so its order would never be applied.
        defaults.put("spring.datasource.url",
                "jdbc:h2:file:${flashsale.data-dir:./data}/${spring.application.name};DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        defaults.put("spring.datasource.username", "sa");
        defaults.put("spring.datasource.password", "");
        // worker-support's and dead-letters' migrations are versions 1, 1.1, 1.2, ... and a worker's own are 2, 3, ...:
        // a 1.x can reach a database that is already at 3, which Flyway applies only when told to.
        defaults.put("spring.flyway.out-of-order", true);
    }

    @Override
    public int getOrder() {
        // After the config files are read, so that the active profiles are known.
        return Ordered.LOWEST_PRECEDENCE;
    }
}
