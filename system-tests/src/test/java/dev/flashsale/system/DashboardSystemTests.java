package dev.flashsale.system;

import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TestBroker;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.chrome.ChromeDriver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The dashboard in a real browser, Debian's headless Chromium, against the whole system: the four built services as
 * processes with their default simulated costs, the real broker (a virtual host of its own) and a real SMTP server.
 * Only what a person sees and clicks:
 * both checkouts side by side, a flash sale counted by every worker, a stopped worker's queue filling and draining, a
 * failing worker's messages dead-lettered and then replayed, and a poison message parked by every worker at once.
 *
 * <p>The tests run in order on one system, and each waits until every order placed so far is applied by every worker
 * (an order's count is exact: each worker applies each order once). With {@code -Dflashsale.screenshot=docs/dashboard.png}
 * (relative to the repository) the failing-worker test takes the README's screenshot.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DashboardSystemTests {

    private static final String ADMIN = "dashboard-admin";
    private static final String ADMIN_PASSWORD = "dashboard-secret";
    /** The three workers' simulated downstream costs together, at their defaults: what the synchronous checkout waits for. */
    private static final long DOWNSTREAM_COSTS_MILLIS = 1150;
    private static final String EMAIL_QUEUE = "email.order-placed";

    private static GreenMail smtp;
    private static FlashSaleSystem system;
    private static ChromeDriver browser;
    private static DashboardPage page;

    /** Orders placed so far by these tests: once all are applied, every worker's processed counter shows this. */
    private static int ordersPlaced;

    /** Of those, the ones placed through the synchronous checkout, which publishes nothing. */
    private static int syncOrdersPlaced;

    @BeforeAll
    static void startSystemAndBrowser() {
        Path work = EndToEndSystemTests.workDirectory("dashboard");
        smtp = NoDelayGreenMail.startOnFreePort();
        TestBroker broker = TestBroker.get();
        system = FlashSaleSystem.builder(EndToEndSystemTests.repository())
                // A virtual host of its own: the rebuild test counts the orders of this system's history stream only.
                .broker(broker.host(), broker.port(), broker.username(), broker.password(), broker.newVirtualHost("dashboard"))
                .smtp("127.0.0.1", smtp.getSmtp().getPort())
                .property("spring.security.user.name", ADMIN)
                .property("spring.security.user.password", ADMIN_PASSWORD)
                // Retries 100, 200, 400 and 800 ms apart: a failing message is dead-lettered within two seconds.
                .property("flashsale.worker.retry.initial-interval", "100ms")
                .property("flashsale.worker.retry.max-interval", "1s")
                .jvmOption("-XX:TieredStopAtLevel=1")
                .workDirectory(work)
                .start();
        browser = Chromium.start(work);
        page = new DashboardPage(browser);
        page.open(system.uri(Service.ORDER_SERVICE));
        eventually().until(page::isLive);
    }

    @AfterAll
    static void stopSystemAndBrowser() {
        try {
            if (browser != null) {
                browser.quit();
            }
            if (system != null) {
                system.close();
            }
        }
        finally {
            smtp.stop();
        }
    }

    @Test
    @Order(1)
    void oneOrderPlacedEachWayShowsTheTwoLatenciesSideBySide() {
        page.placeOneOrderEachWay();
        ordersPlaced += 2;
        syncOrdersPlaced++;

        eventually().until(() -> page.latencyDetail("sync").startsWith("201"));
        assertThat(page.latencyDetail("async")).startsWith("202 Accepted");
        assertThat(page.latencyDetail("sync")).contains("inventory-worker", "email-worker", "analytics-worker");
        // The synchronous checkout waited for every worker's downstream work: never faster than that.
        assertThat(millis(page.lastLatency("sync"))).isGreaterThanOrEqualTo(DOWNSTREAM_COSTS_MILLIS);
        assertThat(millis(page.lastLatency("async"))).isPositive();
        eventually().untilAsserted(() -> {
            for (String checkout : new String[] { "async", "sync" }) {
                for (String percentile : new String[] { "p50", "p90", "p99" }) {
                    assertThat(page.percentile(checkout, percentile)).as(checkout + " " + percentile).endsWith(" ms");
                }
            }
        });
        awaitEveryWorkerProcessed(ordersPlaced);
    }

    @Test
    @Order(2)
    void aFlashSaleFiredFromThePageIsCountedByEveryWorker() {
        int orders = 30;

        page.fireFlashSale(orders);
        ordersPlaced += orders;

        eventually().until(page::saleDone);
        assertThat(page.saleAccepted()).isEqualTo(orders);
        awaitEveryWorkerProcessed(ordersPlaced);
        eventually().until(() -> page.latestOrdersShown() > 0 && page.pendingInLatestOrders() == 0);
    }

    @Test
    @Order(3)
    void ordersForAStoppedWorkerWaitInItsQueueUntilItResumes() {
        signIn();
        page.toggleConsumption(Service.EMAIL_WORKER);
        eventually().until(() -> page.workerState(Service.EMAIL_WORKER).equals("stopped"));
        long processed = page.counter(Service.EMAIL_WORKER, "processed");

        page.fireFlashSale(10);
        ordersPlaced += 10;
        eventually().until(page::saleDone);

        // The broker refreshes its statistics every few seconds; the orders stay in the queue until then and after.
        eventually().until(() -> page.waitingIn(EMAIL_QUEUE) >= 10);
        awaitProcessed(Service.INVENTORY_WORKER, ordersPlaced);
        assertThat(page.counter(Service.EMAIL_WORKER, "processed")).isEqualTo(processed);

        page.toggleConsumption(Service.EMAIL_WORKER);
        eventually().until(() -> page.workerState(Service.EMAIL_WORKER).equals("consuming"));
        awaitEveryWorkerProcessed(ordersPlaced);
    }

    @Test
    @Order(4)
    void aWorkerCappedFromThePageSaysSoAndStillAppliesEveryOrder() {
        signIn();
        page.capRate(Service.EMAIL_WORKER, "40");
        eventually().until(() -> page.workerState(Service.EMAIL_WORKER).equals("capped at 40/s"));
        assertThat(page.workerMessage(Service.EMAIL_WORKER)).startsWith("capped at 40 orders/s");

        page.fireFlashSale(10);
        ordersPlaced += 10;
        eventually().until(page::saleDone);
        awaitEveryWorkerProcessed(ordersPlaced);

        page.capRate(Service.EMAIL_WORKER, "");
        eventually().until(() -> page.workerState(Service.EMAIL_WORKER).equals("consuming"));
        assertThat(page.workerMessage(Service.EMAIL_WORKER)).startsWith("no cap");
    }

    @Test
    @Order(5)
    void aFailingWorkersMessagesAreDeadLetteredAndTheReplayedOnesProcessed() {
        int orders = 5;
        signIn();
        // Both checkouts once more, now that the services are warm: the numbers the README's screenshot shows.
        page.placeOneOrderEachWay();
        ordersPlaced += 2;
        syncOrdersPlaced++;
        eventually().until(() -> page.latencyDetail("sync").startsWith("201"));
        awaitEveryWorkerProcessed(ordersPlaced);
        long parked = page.counter(Service.INVENTORY_WORKER, "deadLettersParked");
        long retries = page.counter(Service.INVENTORY_WORKER, "retries");
        page.setFaults(Service.INVENTORY_WORKER, 100, 0);
        eventually().until(() -> page.workerMessage(Service.INVENTORY_WORKER).startsWith("now failing 100 %"));

        page.fireFlashSale(orders);
        ordersPlaced += orders;
        eventually().until(page::saleDone);

        eventually().until(() -> page.counter(Service.INVENTORY_WORKER, "deadLettersParked") == parked + orders);
        assertThat(page.counter(Service.INVENTORY_WORKER, "retries")).isGreaterThan(retries);
        awaitProcessed(Service.EMAIL_WORKER, ordersPlaced);
        awaitProcessed(Service.ANALYTICS_WORKER, ordersPlaced);
        assertThat(page.counter(Service.INVENTORY_WORKER, "processed")).isEqualTo(ordersPlaced - orders);
        page.openDeadLetters(Service.INVENTORY_WORKER);
        eventually().until(() -> page.deadLettersListed() == parked + orders);
        assertThat(page.deadLetterGroups()).contains("SimulatedFailureException");
        screenshotIfAsked();

        page.setFaults(Service.INVENTORY_WORKER, 0, 0);
        eventually().until(() -> page.workerMessage(Service.INVENTORY_WORKER).startsWith("now failing 0 %"));
        page.replayAllDeadLetters();

        eventually().until(() -> page.counter(Service.INVENTORY_WORKER, "deadLettersParked") == parked);
        awaitEveryWorkerProcessed(ordersPlaced);
        eventually().until(() -> page.deadLettersListed() == parked);
    }

    @Test
    @Order(6)
    void aPoisonMessageSentFromThePageIsParkedByEveryWorkerAtOnceWithoutRetries() {
        signIn();
        Map<Service, Long> parked = counters("deadLettersParked");
        Map<Service, Long> retries = counters("retries");

        page.sendPoison();

        eventually().until(() -> page.poisonResult().startsWith("published"));
        for (Service worker : ExactlyOnceAccount.WORKERS) {
            eventually().until(() -> page.counter(worker, "deadLettersParked") == parked.get(worker) + 1);
        }
        assertThat(counters("retries")).isEqualTo(retries);
        assertThat(counters("processed")).containsOnlyKeys(ExactlyOnceAccount.WORKERS).allSatisfy((worker, processed) ->
                assertThat(processed).as(worker.module()).isEqualTo(ordersPlaced));
    }

    @Test
    @Order(7)
    void theHistoryStreamIsShownAndARebuildStartedFromThePageEndsWithEveryOrderThatWentThroughTheBroker() {
        signIn();
        eventually().until(() -> page.historyStream().contains("messages appended"));
        assertThat(page.rebuild()).isEqualTo("analytics rebuild: none since the worker started");

        page.rebuildAnalytics();

        // The synchronous orders never went through the broker: they are not in the history.
        eventually().until(() -> page.rebuild().startsWith("analytics rebuild: done"));
        assertThat(page.rebuild()).contains(ordersPlaced - syncOrdersPlaced + " orders (before: " + ordersPlaced + ")");
    }

    /** Signs in on the page, once; a wrong password first, which the page refuses and which signs nobody in. */
    private static void signIn() {
        if (page.signedIn()) {
            return;
        }
        page.signIn(ADMIN, "wrong");
        eventually().until(() -> page.signInMessage().equals("wrong user or password"));
        assertThat(page.signedIn()).isFalse();
        page.signIn(ADMIN, ADMIN_PASSWORD);
        eventually().until(page::signedIn);
    }

    private static void awaitEveryWorkerProcessed(long orders) {
        ExactlyOnceAccount.WORKERS.forEach(worker -> awaitProcessed(worker, orders));
    }

    private static void awaitProcessed(Service worker, long orders) {
        eventually().untilAsserted(() -> assertThat(page.counter(worker, "processed")).as("%s processed", worker.module())
                .isEqualTo(orders));
    }

    private static Map<Service, Long> counters(String field) {
        Map<Service, Long> counters = new EnumMap<>(Service.class);
        ExactlyOnceAccount.WORKERS.forEach(worker -> counters.put(worker, page.counter(worker, field)));
        return counters;
    }

    /** Writes the page as it is now to the file named by -Dflashsale.screenshot, relative to the repository. */
    private static void screenshotIfAsked() {
        String target = System.getProperty("flashsale.screenshot");
        if (target != null && !target.isBlank()) {
            page.screenshot(EndToEndSystemTests.repository().resolve(target));
        }
    }

    private static long millis(String shown) {
        return Math.round(Double.parseDouble(shown.replace(" ms", "").replace(",", "")));
    }

    /** The page refreshes every second and redraws its tables: elements read mid-redraw are read again. */
    private static ConditionFactory eventually() {
        return await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions();
    }
}
