package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium, driven through Debian's chromedriver: the browser the dashboard's tests use. Nothing is
 * downloaded; without the two packages the tests fail and say how to get them. {@code flashsale.chromium} and
 * {@code flashsale.chromedriver} (system properties) point at others.
 */
final class Chromium {

    private static final Path BROWSER = Path.of(System.getProperty("flashsale.chromium", "/usr/bin/chromium"));
    private static final Path DRIVER = Path.of(System.getProperty("flashsale.chromedriver", "/usr/bin/chromedriver"));

    private Chromium() {
    }

    /** A new headless browser with a profile of its own, a window large enough for the whole dashboard. */
    static ChromeDriver start(Path workDirectory) {
        if (!Files.isExecutable(BROWSER) || !Files.isExecutable(DRIVER)) {
            throw new IllegalStateException("""
                    The dashboard's tests drive a real Chromium, and %s%s is not there.
                      Install Debian's Chromium and its driver (.ci/run does it when they are missing):
                        apt-get update && apt-get install -y chromium chromium-driver
                      or point -Dflashsale.chromium and -Dflashsale.chromedriver at a Chromium and its matching chromedriver."""
                    .formatted(Files.isExecutable(BROWSER) ? "" : BROWSER + " ", Files.isExecutable(DRIVER) ? "" : DRIVER));
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSER.toFile());
        // Headless, as root, and quiet: this machine's network is closed, and Chromium's background
        // connections (updates, sync, safe browsing) would be refused by the dozen.
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
                "--window-size=1400,2300", "--user-data-dir=" + profile(workDirectory));
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort()
                .withLogFile(workDirectory.resolve("chromedriver.log").toFile()).build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
        return driver;
    }

    private static Path profile(Path workDirectory) {
        try {
            return Files.createTempDirectory(Files.createDirectories(workDirectory), "chromium-profile-");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
