package dev.flashsale.testsupport;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.rabbitmq.http.client.HttpClientException;
import com.rabbitmq.http.client.HttpException;
import com.rabbitmq.http.client.HttpServerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.rabbitmq.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The real RabbitMQ broker that the tests of this JVM use, in a virtual host of their own.
 *
 * <p>Where to find a broker, in order: the one answering on {@code 127.0.0.1:5672} (override with
 * {@code FLASHSALE_TEST_RABBIT_HOST}/{@code _PORT}/{@code _USER}/{@code _PASSWORD}/{@code _MANAGEMENT_URL}),
 * else a RabbitMQ started by Testcontainers where Docker runs, else the tests fail and say how to
 * get one. Either way the tests get a fresh virtual host, created through the management API and
 * deleted when the JVM exits: the exchanges and queues they declare, and the messages they
 * publish, never meet those of a running system or of another test run on the same broker.
 */
public final class TestBroker {

    private static final Logger log = LoggerFactory.getLogger(TestBroker.class);

    private static final String VHOST_PREFIX = "flashsale-test-";
    private static final Pattern VHOST_CREATED_AT = Pattern.compile(Pattern.quote(VHOST_PREFIX) + "(\\d+)-.*");
    private static final Duration STALE_AFTER = Duration.ofHours(1);

    private static TestBroker instance;

    private final String host;
    private final int port;
    private final String username;
    private final String password;
    private final RabbitManagement management;
    private final String virtualHost;
    private final JsonMapper json = JsonMapper.builder().build();

    private TestBroker(String host, int port, String username, String password, URI managementUri) {
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.management = new RabbitManagement(managementUri, username, password);
        this.virtualHost = VHOST_PREFIX + System.currentTimeMillis() + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The broker of this JVM's tests, found (or started) and given a fresh virtual host on first use. */
    public static synchronized TestBroker get() {
        if (instance == null) {
            instance = locate();
            instance.createVirtualHost();
            Runtime.getRuntime().addShutdownHook(new Thread(instance::deleteVirtualHost, "test-vhost-cleanup"));
        }
        return instance;
    }

    /** Points Spring Boot's RabbitMQ connection at this broker and virtual host. */
    public void register(DynamicPropertyRegistry registry) {
        registry.add("spring.rabbitmq.host", () -> host);
        registry.add("spring.rabbitmq.port", () -> port);
        registry.add("spring.rabbitmq.username", () -> username);
        registry.add("spring.rabbitmq.password", () -> password);
        registry.add("spring.rabbitmq.virtual-host", () -> virtualHost);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String virtualHost() {
        return virtualHost;
    }

    /** The broker's management API, as the tests' user. */
    public RabbitManagement management() {
        return management;
    }

    /** A queue of this virtual host as the management API describes it (messages, consumers, rates). */
    public JsonNode queue(String queue) {
        return queue(virtualHost, queue);
    }

    /** A queue of another virtual host of these tests ({@link #newVirtualHost}) as the management API describes it. */
    public JsonNode queue(String virtualHost, String queue) {
        // The management client's queue, as a tree for the tests that read a field or two of it (its field names are the API's).
        return json.valueToTree(call(() -> management.queue(virtualHost, queue)));
    }

    /**
     * Applies a policy to the queues of this virtual host whose names match {@code pattern}, e.g. a length limit of 0
     * that makes the broker refuse (nack) every publish to a {@code reject-publish} queue. Policies act within
     * moments, not at once: a test waits for the effect it needs.
     */
    public void applyQueuePolicy(String name, String pattern, Map<String, Object> definition) {
        call(() -> {
            management.applyQueuePolicy(virtualHost, name, pattern, definition);
            return null;
        });
    }

    public void deletePolicy(String name) {
        call(() -> {
            management.deletePolicy(virtualHost, name);
            return null;
        });
    }

    private static TestBroker locate() {
        String host = env("FLASHSALE_TEST_RABBIT_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("FLASHSALE_TEST_RABBIT_PORT", "5672"));
        String user = env("FLASHSALE_TEST_RABBIT_USER", "guest");
        String password = env("FLASHSALE_TEST_RABBIT_PASSWORD", "guest");
        if (Ports.answers(host, port)) {
            URI management = URI.create(env("FLASHSALE_TEST_RABBIT_MANAGEMENT_URL", "http://" + host + ":15672"));
            log.info("Tests use the RabbitMQ broker at {}:{}", host, port);
            return new TestBroker(host, port, user, password, management);
        }
        if (dockerAvailable()) {
            RabbitMQContainer container = new RabbitMQContainer(DockerImageName.parse("rabbitmq:3.13-management"));
            container.start();
            log.info("No broker on {}:{}; tests use a RabbitMQ container at {}", host, port, container.getAmqpUrl());
            return new TestBroker(container.getHost(), container.getAmqpPort(), container.getAdminUsername(),
                    container.getAdminPassword(), URI.create(container.getHttpUrl()));
        }
        throw new IllegalStateException("""
                The tests need a real RabbitMQ broker, and none was found.
                  No broker answers on %s:%d, and Docker is not available for Testcontainers.
                  Start one, then run the tests again:
                    - a local RabbitMQ: `rabbitmq-server -detached` and `rabbitmq-plugins enable rabbitmq_management`
                    - or with Docker:   `docker compose up -d rabbitmq`
                  (FLASHSALE_TEST_RABBIT_HOST and FLASHSALE_TEST_RABBIT_PORT point the tests elsewhere.)"""
                .formatted(host, port));
    }

    private void createVirtualHost() {
        sweepStaleVirtualHosts();
        createVirtualHost(virtualHost);
        log.info("Tests use the virtual host {}", virtualHost);
    }

    /**
     * Another fresh virtual host, for a test that runs a system of its own beside the others (e.g. one whose
     * figures must not include what an earlier test left in the shared virtual host); deleted when the JVM exits.
     */
    public String newVirtualHost(String purpose) {
        String name = VHOST_PREFIX + System.currentTimeMillis() + "-" + purpose;
        createVirtualHost(name);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteVirtualHost(name), "test-vhost-cleanup"));
        return name;
    }

    private void createVirtualHost(String name) {
        call(() -> {
            management.createVirtualHost(name, username);
            return null;
        });
    }

    private void deleteVirtualHost() {
        deleteVirtualHost(virtualHost);
    }

    private void deleteVirtualHost(String name) {
        try {
            management.deleteVirtualHost(name);
        }
        catch (RuntimeException ex) {
            log.warn("Could not delete the test virtual host {}: {}", name, ex.getMessage());
        }
    }

    /** Virtual hosts left behind by test JVMs that were killed before their shutdown hook ran. */
    private void sweepStaleVirtualHosts() {
        long now = System.currentTimeMillis();
        for (String vhost : call(management::virtualHosts)) {
            Matcher matcher = VHOST_CREATED_AT.matcher(vhost);
            if (matcher.matches() && now - Long.parseLong(matcher.group(1)) > STALE_AFTER.toMillis()) {
                management.deleteVirtualHost(vhost);
            }
        }
    }

    /** A call to the management API; when it does not answer at all, an error that says how to give the tests one. */
    private <T> T call(Supplier<T> request) {
        try {
            return request.get();
        }
        catch (HttpException ex) {
            if (ex instanceof HttpClientException || ex instanceof HttpServerException) {
                throw ex;
            }
            throw new IllegalStateException("""
                    The RabbitMQ management API does not answer at %s (%s).
                      The tests create a virtual host of their own through it. Enable it with
                      `rabbitmq-plugins enable rabbitmq_management`, or point FLASHSALE_TEST_RABBIT_MANAGEMENT_URL at it."""
                    .formatted(management.base(), ex.getCause()), ex);
        }
    }

    private static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException ex) {
            return false;
        }
    }


    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
