package dev.flashsale.order.outbox;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/** The after-commit fault knob over HTTP: only with the admin credentials, and a refused change changes nothing. */
@OrderServiceTest
class FaultControllerTests {

    @Autowired
    TestApi api;

    @Autowired
    AfterCommitFault fault;

    @AfterEach
    void noFault() {
        fault.set(AfterCommitFault.Mode.NONE);
    }

    @Test
    void withoutCredentialsOrWithWrongOnesTheKnobCannotBeReadNorChanged() {
        Answer anonymousRead = api.send(api.request("/api/admin/faults").GET().build());
        Answer anonymous = put("{\"afterCommitFault\":\"DROP\"}", null);
        Answer wrong = put("{\"afterCommitFault\":\"DROP\"}", basic(OrderServiceTest.ADMIN, "wrong"));

        assertThat(anonymousRead.status()).isEqualTo(401);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.header("WWW-Authenticate")).startsWith("Basic");
        assertThat(anonymous.contentType()).startsWith("application/problem+json");
        assertThat(wrong.status()).isEqualTo(401);
        assertThat(fault.mode()).isEqualTo(AfterCommitFault.Mode.NONE);
    }

    @Test
    void anAdminReadsAndChangesTheKnob() {
        Answer before = api.send(api.request("/api/admin/faults").header("Authorization", admin()).GET().build());
        Answer changed = put("{\"afterCommitFault\":\"DROP\"}", admin());

        assertThat(before.status()).isEqualTo(200);
        assertThat(before.json().get("afterCommitFault").asString()).isEqualTo("NONE");
        assertThat(changed.status()).isEqualTo(200);
        assertThat(changed.json().get("afterCommitFault").asString()).isEqualTo("DROP");
        assertThat(fault.mode()).isEqualTo(AfterCommitFault.Mode.DROP);
    }

    @Test
    void anUnknownOrMissingModeIsABadRequestProblemAndChangesNothing() {
        Answer unknown = put("{\"afterCommitFault\":\"BOOM\"}", admin());
        Answer missing = put("{}", admin());

        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.contentType()).startsWith("application/problem+json");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.contentType()).startsWith("application/problem+json");
        assertThat(fault.mode()).isEqualTo(AfterCommitFault.Mode.NONE);
    }

    private Answer put(String body, String authorization) {
        HttpRequest.Builder request = api.request("/api/admin/faults").header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return api.send(request.build());
    }

    private static String admin() {
        return basic(OrderServiceTest.ADMIN, OrderServiceTest.ADMIN_PASSWORD);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }
}
