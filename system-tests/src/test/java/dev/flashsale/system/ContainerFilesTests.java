package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * What can be checked of the container files without a Docker engine, where CI runs {@code ./mvnw verify}: that
 * docker-compose.yml is YAML, that every Spring service in it has a health check and starts only once what it depends
 * on is healthy, that it runs with no environment variable set, that every Spring service can be scaled (no host port;
 * the load balancer in front of the order-service owns 8080) and is given every node of the RabbitMQ cluster, and that
 * the Dockerfile runs as a non-root user on the Java the README promises.
 */
class ContainerFilesTests {

    private static final Path REPOSITORY = EndToEndSystemTests.repository();

    @Test
    void everySpringServiceHasAHealthCheckAndWaitsForWhatItNeedsToBeHealthy() throws IOException {
        Map<String, Object> compose = compose();
        Map<String, Map<String, Object>> springServices = springServices(compose);

        assertThat(springServices).containsOnlyKeys("order-service", "email-worker", "inventory-worker", "analytics-worker");
        springServices.forEach((name, service) -> {
            Map<String, Object> healthcheck = map(service.get("healthcheck"));
            assertThat(healthcheck).as(name + " healthcheck").containsKey("test");
            assertThat(String.join(" ", list(healthcheck.get("test")))).as(name + " healthcheck")
                    .contains("/actuator/health/readiness");
            // The health check reads the service's port from SERVER_PORT: it must be the port the service listens on.
            assertThat(String.valueOf(map(service.get("environment")).get("SERVER_PORT"))).as(name + " SERVER_PORT")
                    .isEqualTo(String.valueOf(serverPort(name)));
            Map<String, Object> dependencies = map(service.get("depends_on"));
            assertThat(dependencies).as(name + " depends_on").containsKey("postgres");
            assertThat(dependencies).as(name + " waits for every RabbitMQ node").containsKeys(rabbitNodes(compose).toArray(String[]::new));
            dependencies.forEach((dependency, condition) -> assertThat(map(condition).get("condition"))
                    .as(name + " waits for " + dependency).isEqualTo("service_healthy"));
        });
    }

    @Test
    void everySpringServiceCanBeScaledForItHasNoHostPort() throws IOException {
        // `docker compose up --scale inventory-worker=3`: replicas cannot share a host port, so none may have one.
        springServices(compose()).forEach((name, service) -> {
            assertThat(service).as(name + " has no host port").doesNotContainKey("ports");
            assertThat(service).as(name + " has no fixed container name").doesNotContainKey("container_name");
        });
    }

    @Test
    void theLoadBalancerOwnsPort8080AndRoutesToEveryOrderServiceReplica() throws IOException {
        Map<String, Map<String, Object>> services = services(compose());
        Map<String, Object> balancer = services.get("load-balancer");
        assertThat(balancer).as("the load-balancer service").isNotNull();
        assertThat(String.valueOf(balancer.get("image"))).as("the load balancer's image").startsWith("nginx:");
        assertThat(list(balancer.get("ports"))).containsExactly("8080:8080");
        assertThat(list(balancer.get("volumes"))).contains("./docker/nginx/nginx.conf:/etc/nginx/nginx.conf:ro");
        assertThat(map(map(balancer.get("depends_on")).get("order-service")).get("condition")).isEqualTo("service_healthy");
        services.forEach((name, service) -> {
            if (!name.equals("load-balancer") && service.get("ports") != null) {
                assertThat(list(service.get("ports"))).as(name + " ports").noneMatch(port -> port.startsWith("8080:"));
            }
        });

        String nginx = Files.readString(REPOSITORY.resolve("docker/nginx/nginx.conf"));
        // An upstream of the order-service's compose name, on its port, followed through Docker's DNS while nginx runs
        // ("resolve"), so that every replica gets requests, also those started later.
        Matcher upstream = Pattern.compile("upstream\\s+([\\w-]+)\\s*\\{[^}]*\\bserver\\s+order-service:(\\d+)\\s+resolve\\s*;").matcher(nginx);
        assertThat(upstream.find()).as("nginx.conf has an upstream of order-service:<port> resolve").isTrue();
        assertThat(Integer.parseInt(upstream.group(2))).as("the upstream's port").isEqualTo(serverPort("order-service"));
        assertThat(nginx).as("nginx.conf sends every request to that upstream").contains("proxy_pass http://" + upstream.group(1) + ";");
        assertThat(nginx).as("nginx.conf asks Docker's DNS").containsPattern("resolver\\s+127\\.0\\.0\\.11\\b");
        assertThat(nginx).as("nginx.conf listens on the published port").containsPattern("listen\\s+8080\\s*;");
    }

    @Test
    void everySpringServiceIsGivenEveryNodeOfTheRabbitMqCluster() throws IOException {
        Map<String, Object> compose = compose();
        List<String> nodes = rabbitNodes(compose);
        assertThat(nodes).as("the RabbitMQ nodes").containsExactly("rabbitmq-1", "rabbitmq-2", "rabbitmq-3");
        Map<String, Map<String, Object>> services = services(compose);
        List<String> cookies = new ArrayList<>();
        List<String> withHostPorts = new ArrayList<>();
        String conf = Files.readString(REPOSITORY.resolve("docker/rabbitmq/rabbitmq.conf"));
        assertThat(conf).contains("cluster_formation.peer_discovery_backend = classic_config");
        for (String node : nodes) {
            Map<String, Object> service = services.get(node);
            assertThat(service.get("hostname")).as(node + "'s hostname, its node name's").isEqualTo(node);
            assertThat(service).as(node + "'s health check").containsKey("healthcheck");
            assertThat(list(service.get("volumes"))).as(node + " reads rabbitmq.conf")
                    .contains("./docker/rabbitmq/rabbitmq.conf:/etc/rabbitmq/rabbitmq.conf:ro");
            cookies.add(String.valueOf(map(service.get("environment")).get("RABBITMQ_ERLANG_COOKIE")));
            assertThat(conf).as("rabbitmq.conf lists " + node).containsPattern("cluster_formation\\.classic_config\\.nodes\\.\\d+ = rabbit@" + node + "\\n");
            if (service.get("ports") != null) {
                withHostPorts.add(node);
                assertThat(list(service.get("ports"))).as(node + " ports").contains("5672:5672", "15672:15672");
            }
        }
        assertThat(cookies).as("the nodes' Erlang cookie").doesNotContain("null").containsOnly(cookies.get(0));
        assertThat(withHostPorts).as("the one node with the management UI on the host").hasSize(1);

        List<String> addresses = nodes.stream().map(node -> node + ":5672").toList();
        springServices(compose).forEach((name, service) -> {
            Map<String, Object> environment = map(service.get("environment"));
            assertThat(List.of(String.valueOf(environment.get("SPRING_RABBITMQ_ADDRESSES")).split(",")))
                    .as(name + "'s SPRING_RABBITMQ_ADDRESSES").containsExactlyInAnyOrderElementsOf(addresses);
            assertThat(environment).as(name + ": addresses, not one host").doesNotContainKeys("SPRING_RABBITMQ_HOST", "SPRING_RABBITMQ_PORT");
        });

        // Prometheus scrapes every node, in each job that scrapes the broker.
        Map<String, Object> prometheus = new Yaml().load(Files.readString(REPOSITORY.resolve("docker/prometheus/prometheus.yml")));
        List<String> rabbitJobs = new ArrayList<>();
        for (Object job : (List<?>) prometheus.get("scrape_configs")) {
            List<String> targets = new ArrayList<>();
            for (Object group : (List<?>) map(job).get("static_configs")) {
                targets.addAll(list(map(group).get("targets")));
            }
            if (targets.stream().anyMatch(target -> target.startsWith("rabbitmq"))) {
                rabbitJobs.add(String.valueOf(map(job).get("job_name")));
                assertThat(targets).as(map(job).get("job_name") + "'s targets")
                        .containsAll(nodes.stream().map(node -> node + ":15692").toList());
            }
        }
        assertThat(rabbitJobs).as("Prometheus jobs scraping the broker").isNotEmpty();
    }

    @Test
    void everyServiceADependencyWaitsForHasAHealthCheck() throws IOException {
        Map<String, Map<String, Object>> services = services(compose());

        services.forEach((name, service) -> {
            if (service.get("depends_on") instanceof Map<?, ?> dependencies) {
                dependencies.keySet().forEach(dependency -> assertThat(services.get(dependency))
                        .as(name + " depends on " + dependency).containsKey("healthcheck"));
            }
        });
    }

    @Test
    void everyVariableInTheComposeFileHasADefault() throws IOException {
        String compose = Files.readString(REPOSITORY.resolve("docker-compose.yml"));
        // ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}...; $$ is a literal $, for the container's shell.
        Matcher variable = Pattern.compile("(?<!\\$)\\$\\{([A-Za-z_][A-Za-z0-9_]*)([^}]*)}").matcher(compose);
        List<String> withoutDefault = new ArrayList<>();
        int found = 0;
        while (variable.find()) {
            found++;
            if (!variable.group(2).startsWith(":-") && !variable.group(2).startsWith("-")) {
                withoutDefault.add(variable.group());
            }
        }

        assertThat(found).isPositive();
        assertThat(withoutDefault).isEmpty();
        // A bare $NAME would be read by compose too, from the host, and is empty when unset.
        assertThat(Pattern.compile("(?<!\\$)\\$[A-Za-z_]").matcher(compose.replace("$$", "")).find())
                .as("a $NAME without braces and default").isFalse();
    }

    @Test
    void theImagesRunOnTheJavaTheReadmeStatesAsANonRootUser() throws IOException {
        List<String> dockerfile = Files.readAllLines(REPOSITORY.resolve("Dockerfile"));
        Matcher readme = Pattern.compile("Temurin (\\d+)").matcher(Files.readString(REPOSITORY.resolve("README.md")));
        assertThat(readme.find()).as("README.md names the Temurin release the images run on").isTrue();
        String stated = readme.group(1);

        List<String> stages = dockerfile.stream().filter(line -> line.startsWith("FROM ")).toList();
        assertThat(stages).containsExactly("FROM eclipse-temurin:" + stated + "-jdk AS build", "FROM eclipse-temurin:" + stated + "-jre");
        List<String> runStage = dockerfile.subList(dockerfile.indexOf(stages.get(1)), dockerfile.size());
        List<String> users = runStage.stream().filter(line -> line.startsWith("USER ")).toList();
        assertThat(users).hasSize(1);
        // A number, so that Kubernetes' runAsNonRoot can check it, and not root's (0).
        assertThat(users.get(0)).matches("USER [1-9][0-9]*(:[0-9]+)?");
        assertThat(runStage.subList(runStage.indexOf(users.get(0)), runStage.size()))
                .as("the user is set before the service starts").anyMatch(line -> line.startsWith("ENTRYPOINT "));
    }

    private static Map<String, Object> compose() throws IOException {
        return new Yaml().load(Files.readString(REPOSITORY.resolve("docker-compose.yml")));
    }

    /** The RabbitMQ nodes: the services run from RabbitMQ's image. */
    private static List<String> rabbitNodes(Map<String, Object> compose) {
        return services(compose).entrySet().stream()
                .filter(service -> String.valueOf(service.getValue().get("image")).startsWith("rabbitmq:"))
                .map(Map.Entry::getKey).sorted().toList();
    }

    /** The port a module listens on: server.port of its application.yml. */
    private static int serverPort(String module) {
        try {
            Map<String, Object> application = new Yaml().load(Files.readString(REPOSITORY.resolve(module + "/src/main/resources/application.yml")));
            return Integer.parseInt(String.valueOf(map(application.get("server")).get("port")));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private static Map<String, Map<String, Object>> services(Map<String, Object> compose) {
        Map<String, Map<String, Object>> services = new LinkedHashMap<>();
        map(compose.get("services")).forEach((name, service) -> services.put(name, map(service)));
        return services;
    }

    /** The services built from this repository: the Spring Boot ones. */
    private static Map<String, Map<String, Object>> springServices(Map<String, Object> compose) {
        Map<String, Map<String, Object>> spring = new LinkedHashMap<>();
        services(compose).forEach((name, service) -> {
            if (service.containsKey("build")) {
                spring.put(name, service);
            }
        });
        return spring;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object yaml) {
        assertThat(yaml).isInstanceOf(Map.class);
        return (Map<String, Object>) yaml;
    }

    private static List<String> list(Object yaml) {
        assertThat(yaml).isInstanceOf(List.class);
        return ((List<?>) yaml).stream().map(String::valueOf).toList();
    }
}
