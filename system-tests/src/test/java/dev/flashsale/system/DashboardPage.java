package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;

/** The dashboard as a person uses it: what they read off the page and what they click, nothing else. */
final class DashboardPage {

    private final ChromeDriver browser;

    DashboardPage(ChromeDriver browser) {
        this.browser = browser;
    }

    void open(URI orderService) {
        browser.get(orderService.resolve("/").toString());
    }

    /** Whether the page has drawn a snapshot, with a card for each worker. */
    boolean isLive() {
        return text(By.id("updated")).startsWith("live") && browser.findElements(By.cssSelector("[data-worker] [data-field=processed]")).size() == 3;
    }

    // ---- reading

    /** A worker's counter as the page shows it: processed, duplicatesSkipped, retries, deadLettered, deadLettersParked. */
    long counter(Service worker, String field) {
        return number(text(By.cssSelector(card(worker) + " [data-field=" + field + "]")));
    }

    String workerState(Service worker) {
        return text(By.cssSelector(card(worker) + " [data-field=state]"));
    }

    String workerMessage(Service worker) {
        return text(By.cssSelector(card(worker) + " [data-field=message]"));
    }

    /** Messages waiting in a work queue, as the broker reports them. */
    long waitingIn(String queue) {
        List<WebElement> cells = browser.findElements(By.cssSelector("[data-queue='" + queue + "'] [data-field=ready]"));
        return cells.isEmpty() ? -1 : number(cells.get(0).getText());
    }

    String lastLatency(String checkout) {
        return text(By.cssSelector(".latency-card[data-checkout=" + checkout + "] [data-field=last]"));
    }

    String latencyDetail(String checkout) {
        return text(By.cssSelector(".latency-card[data-checkout=" + checkout + "] [data-field=detail]"));
    }

    String percentile(String checkout, String field) {
        return text(By.cssSelector("#percentiles [data-checkout=" + checkout + "] [data-field=" + field + "]"));
    }

    /** Cells of the latest orders whose worker has not applied the order yet. */
    int pendingInLatestOrders() {
        return browser.findElements(By.cssSelector("#orders tbody td.pending")).size();
    }

    int latestOrdersShown() {
        return browser.findElements(By.cssSelector("#orders tbody tr")).size();
    }

    boolean saleDone() {
        return "done".equals(browser.findElement(By.id("sale-progress")).getDomAttribute("data-state"));
    }

    long saleAccepted() {
        return number(text(By.cssSelector("#sale-progress [data-field=accepted]")));
    }

    boolean signedIn() {
        return browser.findElement(By.id("signed-in")).isDisplayed();
    }

    String signInMessage() {
        return text(By.id("sign-in-message"));
    }

    /** The dead letters listed in the open panel. */
    int deadLettersListed() {
        return browser.findElements(By.cssSelector("#dlq-list tbody tr")).size();
    }

    String deadLetterGroups() {
        return text(By.cssSelector("#dlq-groups tbody"));
    }

    String poisonResult() {
        return text(By.id("poison-result"));
    }

    /** What the page says of the history stream. */
    String historyStream() {
        return text(By.cssSelector("#history [data-field=stream]"));
    }

    /** What the page says of the analytics worker's last rebuild. */
    String rebuild() {
        return text(By.cssSelector("#history [data-field=rebuild]"));
    }

    // ---- doing

    void placeOneOrderEachWay() {
        click(By.id("place-both"));
    }

    void fireFlashSale(int orders) {
        type(By.id("sale-orders"), String.valueOf(orders));
        click(By.id("sale-fire"));
    }

    void signIn(String user, String password) {
        type(By.id("admin-user"), user);
        type(By.id("admin-password"), password);
        click(By.cssSelector("#sign-in button[type=submit]"));
    }

    /** Sets a worker's failure rate (in percent) and extra latency (in milliseconds), and applies them. */
    void setFaults(Service worker, int failurePercent, int latencyMillis) {
        type(By.cssSelector(card(worker) + " [data-control=failure-rate]"), String.valueOf(failurePercent));
        type(By.cssSelector(card(worker) + " [data-control=latency]"), String.valueOf(latencyMillis));
        click(By.cssSelector(card(worker) + " [data-action=faults]"));
    }

    /** Caps a worker's rate at so many orders a second, or takes the cap off with an empty text. */
    void capRate(Service worker, String perSecond) {
        type(By.cssSelector(card(worker) + " [data-control=max-rate]"), perSecond);
        click(By.cssSelector(card(worker) + " [data-action=max-rate]"));
    }

    void toggleConsumption(Service worker) {
        click(By.cssSelector(card(worker) + " [data-action=consumption]"));
    }

    void openDeadLetters(Service worker) {
        click(By.cssSelector(card(worker) + " [data-action=dead-letters]"));
    }

    void replayAllDeadLetters() {
        click(By.id("dlq-replay-all"));
    }

    void sendPoison() {
        click(By.id("poison"));
    }

    void rebuildAnalytics() {
        click(By.id("rebuild"));
    }

    void screenshot(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    WebDriver browser() {
        return browser;
    }

    private static String card(Service worker) {
        return "[data-worker='" + worker.module() + "'].card";
    }

    private String text(By by) {
        return browser.findElement(by).getText().trim();
    }

    private void type(By by, String text) {
        WebElement input = browser.findElement(by);
        input.clear();
        input.sendKeys(text);
    }

    private void click(By by) {
        browser.findElement(by).click();
    }

    /** A number as the page formats it ("1,234"); -1 for none ("–"). */
    private static long number(String text) {
        String digits = text.replace(",", "").trim();
        return digits.matches("\\d+") ? Long.parseLong(digits) : -1;
    }
}
