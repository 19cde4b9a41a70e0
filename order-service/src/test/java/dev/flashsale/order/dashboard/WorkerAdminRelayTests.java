package dev.flashsale.order.dashboard;

import java.net.http.HttpRequest;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.TestApi;
import dev.flashsale.order.TestApi.Answer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay to the workers' admin APIs, as far as it is the order-service's: credentials first, then only the workers'
 * admin operations, and a worker that does not answer named in a 502. (That the workers get the requests and answer them
 * is shown against the real workers, in system-tests' {@code DashboardSystemTests}.) No worker runs in these tests.
 */
@OrderServiceTest
class WorkerAdminRelayTests {

    @Autowired
    TestApi api;

    @Test
    void withoutCredentialsOrWithWrongOnesNothingIsRelayed() {
        Answer anonymous = put("/api/admin/workers/inventory-worker/consumption", null);
        Answer wrong = put("/api/admin/workers/inventory-worker/consumption", PoisonMessageControllerTests.basic(OrderServiceTest.ADMIN, "x"));

        // 401 from the order-service itself: had it been relayed, the missing worker would have made it a 502.
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(wrong.status()).isEqualTo(401);
    }

    @Test
    void onlyTheWorkersAdminOperationsAreRelayed() {
        for (String path : new String[] { "/api/admin/workers/payment-worker/faults", "/api/admin/workers/inventory-worker/stats",
                "/api/admin/workers/inventory-worker/", "/api/admin/workers/inventory-worker/dead-letters/a.b" }) {
            Answer answer = put(path, PoisonMessageControllerTests.admin());

            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.contentType()).as(path).startsWith("application/problem+json");
        }
    }

    @Test
    void aWorkerThatDoesNotAnswerIsABadGatewayProblemNamingIt() {
        Answer answer = api.send(api.request("/api/admin/workers/analytics-worker/dead-letters/groups")
                .header("Authorization", PoisonMessageControllerTests.admin()).GET().build());

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        assertThat(answer.json().get("detail").asString()).contains("analytics-worker");
    }

    private Answer put(String path, String authorization) {
        HttpRequest.Builder request = api.request(path).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString("{\"consuming\":false}"));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return api.send(request.build());
    }
}
