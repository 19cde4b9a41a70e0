package dev.flashsale.order.outbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.UUID;

import dev.flashsale.order.OrderServiceTest;
import dev.flashsale.order.TestApi;
import dev.flashsale.testsupport.TcpProxy;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The outbox's gauges on the scrape, against the real broker (cut to stop publishing) and the real database. */
@OrderServiceTest
class OutboxGaugesTests {

    @Autowired
    TestApi api;

    @Autowired
    TcpProxy brokerProxy;

    @Test
    void whileTheBrokerIsUnreachableTheBacklogAndTheOldestRowsAgeGrowAndBothFallToZeroOnceItIsBack() {
        UUID orderId;
        brokerProxy.cut();
        try {
            orderId = api.checkout(TestApi.order("GAUGES-1", 1)).orderId();

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(scraped("flashsale_outbox_backlog")).isGreaterThanOrEqualTo(1.0);
                assertThat(scraped("flashsale_outbox_oldest_age_seconds")).isGreaterThanOrEqualTo(1.0);
            });
        }
        finally {
            brokerProxy.restore();
        }

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            assertThat(api.get("/api/orders/" + orderId).json().get("status").asString()).isEqualTo("PUBLISHED");
            assertThat(scraped("flashsale_outbox_backlog")).isZero();
            assertThat(scraped("flashsale_outbox_oldest_age_seconds")).isZero();
        });
    }

    @Test
    void aDatabaseThatDoesNotAnswerGivesNotANumberInsteadOfFailingTheScrape() throws IOException {
        MeterRegistry meters = new SimpleMeterRegistry();
        // The real driver, against a port nothing listens on: the connection is refused.
        new OutboxGauges(new DriverManagerDataSource("jdbc:postgresql://127.0.0.1:" + closedPort() + "/orders"), meters);

        assertThat(meters.get(OutboxGauges.BACKLOG).gauge().value()).isNaN();
        assertThat(meters.get(OutboxGauges.OLDEST_AGE).gauge().value()).isNaN();
    }

    /** The value of a sample without labels on {@code /actuator/prometheus}. */
    private double scraped(String name) {
        return api.get("/actuator/prometheus").body().lines()
                .filter(line -> line.startsWith(name + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(name.length() + 1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError(name + " is not on the scrape"));
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
