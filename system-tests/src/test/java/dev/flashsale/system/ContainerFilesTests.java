package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
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
 * on is healthy, that it runs with no environment variable set, and that the Dockerfile runs as a non-root user on the
 * Java the README promises.
 */
class ContainerFilesTests {

    private static final Path REPOSITORY = EndToEndSystemTests.repository();

    @Test
    void everySpringServiceHasAHealthCheckAndWaitsForWhatItNeedsToBeHealthy() throws IOException {
        Map<String, Map<String, Object>> springServices = springServices(compose());

        assertThat(springServices).containsOnlyKeys("order-service", "email-worker", "inventory-worker", "analytics-worker");
        springServices.forEach((name, service) -> {
            Map<String, Object> healthcheck = map(service.get("healthcheck"));
            assertThat(healthcheck).as(name + " healthcheck").containsKey("test");
            assertThat(String.join(" ", list(healthcheck.get("test")))).as(name + " healthcheck")
                    .contains("/actuator/health/readiness");
            // The health check reads the service's port from SERVER_PORT: it must be the port the service publishes.
            String port = String.valueOf(map(service.get("environment")).get("SERVER_PORT"));
            assertThat(list(service.get("ports"))).as(name + " ports").contains(port + ":" + port);
            Map<String, Object> dependencies = map(service.get("depends_on"));
            assertThat(dependencies).as(name + " depends_on").containsKeys("rabbitmq", "postgres");
            dependencies.forEach((dependency, condition) -> assertThat(map(condition).get("condition"))
                    .as(name + " waits for " + dependency).isEqualTo("service_healthy"));
        });
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
