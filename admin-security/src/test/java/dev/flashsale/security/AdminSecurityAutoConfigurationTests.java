package dev.flashsale.security;

import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.client.RestClient;

import static org.assertj.core.api.Assertions.assertThat;

/** Who may call what, in a small web application with the kinds of endpoints the services have, and the actuator. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.security.user.name=test-admin",
        "spring.security.user.password=test-secret",
        "flashsale.security.service.username=test-service",
        "flashsale.security.service.password=service-secret",
        // More than the services expose, to show that whatever else is exposed needs the credentials.
        "management.endpoints.web.exposure.include=health,info,metrics,prometheus,env,beans" })
class AdminSecurityAutoConfigurationTests {

    @LocalServerPort
    int port;

    @Autowired
    TestApplication.Knob knob;

    @Autowired
    UserDetailsService users;

    @Test
    void adminOperationsNeedTheCredentialsAndAWrongOneChangesNothing() {
        knob.value.set("before");

        ResponseEntity<JsonNode> anonymous = http().put().uri("/api/admin/knob").contentType(MediaType.TEXT_PLAIN)
                .body("anonymous").retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> wrong = http().put().uri("/api/admin/knob").headers(h -> h.setBasicAuth("test-admin", "wrong"))
                .contentType(MediaType.TEXT_PLAIN).body("wrong").retrieve().toEntity(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(anonymous.getHeaders().getFirst("WWW-Authenticate")).startsWith("Basic");
        assertThat(anonymous.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(anonymous.getBody().get("status").asInt()).isEqualTo(401);
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        assertThat(knob.value.get()).isEqualTo("before");

        ResponseEntity<String> admin = http().put().uri("/api/admin/knob").headers(h -> h.setBasicAuth("test-admin", "test-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("admin").retrieve().toEntity(String.class);

        assertThat(admin.getStatusCode().value()).isEqualTo(200);
        assertThat(knob.value.get()).isEqualTo("admin");
    }

    @Test
    void aPageScriptGetsTheRefusalWithoutTheChallengeSoTheBrowserNeverAsksNorRemembers() {
        knob.value.set("before");

        ResponseEntity<JsonNode> fromScript = http().put().uri("/api/admin/knob").header("X-Requested-With", "XMLHttpRequest")
                .headers(h -> h.setBasicAuth("test-admin", "wrong")).contentType(MediaType.TEXT_PLAIN).body("script")
                .retrieve().toEntity(JsonNode.class);

        assertThat(fromScript.getStatusCode().value()).isEqualTo(401);
        assertThat(fromScript.getHeaders().containsHeader("WWW-Authenticate")).isFalse();
        assertThat(fromScript.getBody().get("status").asInt()).isEqualTo(401);
        assertThat(knob.value.get()).isEqualTo("before");
    }

    @Test
    void readingIsOpen() {
        assertThat(status(http().get().uri("/api/open"))).isEqualTo(200);
    }

    @Test
    void aRequestOpenedToAnyoneNeedsNoCredentials() {
        knob.value.set("before");

        assertThat(status(http().post().uri("/api/checkout").contentType(MediaType.TEXT_PLAIN).body("anyone"))).isEqualTo(200);

        assertThat(knob.value.get()).isEqualTo("anyone");
    }

    @Test
    void aCallBetweenServicesNeedsTheServiceCredentialsAndNeitherNoneNorAWrongOneNorTheAdminsChangesAnything() {
        knob.value.set("before");

        ResponseEntity<JsonNode> anonymous = http().put().uri("/api/applied/42").contentType(MediaType.TEXT_PLAIN).body("anonymous")
                .retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> wrong = http().put().uri("/api/applied/42").headers(h -> h.setBasicAuth("test-service", "wrong"))
                .contentType(MediaType.TEXT_PLAIN).body("wrong").retrieve().toEntity(JsonNode.class);
        ResponseEntity<JsonNode> admin = http().put().uri("/api/applied/42").headers(h -> h.setBasicAuth("test-admin", "test-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("admin").retrieve().toEntity(JsonNode.class);

        assertThat(anonymous.getStatusCode().value()).isEqualTo(401);
        assertThat(anonymous.getBody().get("status").asInt()).isEqualTo(401);
        assertThat(wrong.getStatusCode().value()).isEqualTo(401);
        assertThat(admin.getStatusCode().value()).isEqualTo(403);
        assertThat(admin.getHeaders().getContentType().isCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON)).isTrue();
        assertThat(admin.getBody().get("status").asInt()).isEqualTo(403);
        assertThat(knob.value.get()).isEqualTo("before");

        assertThat(status(http().put().uri("/api/applied/42").headers(h -> h.setBasicAuth("test-service", "service-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("service"))).isEqualTo(200);
        assertThat(knob.value.get()).isEqualTo("service");
    }

    @Test
    void aPasswordStaysAsGivenAfterItIsUsedAndIsNeverReencodedWithBcrypt() {
        for (int call = 0; call < 2; call++) {
            assertThat(status(http().put().uri("/api/applied/42").headers(h -> h.setBasicAuth("test-service", "service-secret"))
                    .contentType(MediaType.TEXT_PLAIN).body("service"))).isEqualTo(200);
        }

        // Re-encoded, it would cost a bcrypt check on every later call: 150 ms of CPU for each call between services.
        assertThat(users.loadUserByUsername("test-service").getPassword()).isEqualTo("{noop}service-secret");
    }

    @Test
    void aRequestThatMayChangeStateAndWasNeverOpenedNeedsTheAdmin() {
        knob.value.set("before");

        assertThat(status(http().post().uri("/api/undeclared").contentType(MediaType.TEXT_PLAIN).body("anonymous"))).isEqualTo(401);
        assertThat(status(http().delete().uri("/api/undeclared"))).isEqualTo(401);
        assertThat(status(http().post().uri("/api/undeclared").headers(h -> h.setBasicAuth("test-service", "service-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("service"))).isEqualTo(403);
        assertThat(knob.value.get()).isEqualTo("before");

        assertThat(status(http().post().uri("/api/undeclared").headers(h -> h.setBasicAuth("test-admin", "test-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("admin"))).isEqualTo(200);
        assertThat(knob.value.get()).isEqualTo("admin");
    }

    @Test
    void theServiceCredentialsOpenNoAdminOperation() {
        knob.value.set("before");

        assertThat(status(http().put().uri("/api/admin/knob").headers(h -> h.setBasicAuth("test-service", "service-secret"))
                .contentType(MediaType.TEXT_PLAIN).body("service"))).isEqualTo(403);

        assertThat(knob.value.get()).isEqualTo("before");
    }

    @Test
    void healthAndMetricsAreOpenAndHealthShowsNoDetails() {
        JsonNode health = http().get().uri("/actuator/health").retrieve().body(JsonNode.class);

        assertThat(health.get("status").asString()).isEqualTo("UP");
        assertThat(health.has("components")).isFalse();
        assertThat(health.has("details")).isFalse();
        assertThat(status(http().get().uri("/actuator/metrics"))).isEqualTo(200);
        assertThat(status(http().get().uri("/actuator/prometheus"))).isEqualTo(200);
    }

    @Test
    void everyOtherActuatorEndpointNeedsTheCredentials() {
        for (String path : new String[] { "/actuator", "/actuator/env", "/actuator/beans", "/actuator/info" }) {
            assertThat(status(http().get().uri(path))).as(path).isEqualTo(401);
            assertThat(status(http().get().uri(path).headers(h -> h.setBasicAuth("test-admin", "test-secret")))).as(path)
                    .isEqualTo(200);
        }
    }

    private static int status(RestClient.RequestHeadersSpec<?> request) {
        return request.retrieve().toBodilessEntity().getStatusCode().value();
    }

    private RestClient http() {
        return RestClient.builder().baseUrl("http://localhost:" + port)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> { })
                .build();
    }

    /**
     * A service in miniature: an admin knob, an open read, a checkout opened to anyone, a call opened to the other
     * services, and a request that changes state and was never opened.
     */
    @SpringBootApplication
    static class TestApplication {

        @org.springframework.context.annotation.Bean
        AccessRule checkout() {
            return AccessRule.anyone(HttpMethod.POST, "/api/checkout");
        }

        @org.springframework.context.annotation.Bean
        AccessRule applied() {
            return AccessRule.services(HttpMethod.PUT, "/api/applied/*");
        }

        /** The admin knob's value, to see whether a refused request changed it. */
        @org.springframework.stereotype.Component
        static class Knob {

            final AtomicReference<String> value = new AtomicReference<>("initial");
        }

        @RestController
        static class Endpoints {

            private final Knob knob;

            Endpoints(Knob knob) {
                this.knob = knob;
            }

            @PutMapping("/api/admin/knob")
            String change(@RequestBody String value) {
                knob.value.set(value);
                return value;
            }

            @GetMapping("/api/open")
            String open() {
                return "open";
            }

            @PostMapping("/api/checkout")
            String checkout(@RequestBody String value) {
                return change(value);
            }

            @PutMapping("/api/applied/{id}")
            String applied(@RequestBody String value) {
                return change(value);
            }

            @PostMapping("/api/undeclared")
            String undeclared(@RequestBody String value) {
                return change(value);
            }

            @DeleteMapping("/api/undeclared")
            String undeclaredDelete() {
                return change("deleted");
            }
        }
    }
}
