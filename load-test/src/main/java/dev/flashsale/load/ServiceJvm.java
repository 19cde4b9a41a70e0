package dev.flashsale.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The JVM the services run on in the benchmark, its options, and the workers' scheduling priority.
 *
 * <p>Not the tests' light defaults (a 512 MB heap, the serial collector): with them the order-service's old generation
 * filled during the 500/s stream and its full collections stopped it for up to 2.5 s. Measured on the 2-core machine
 * (BENCHMARKS.md, "Levers"), one run each of the {@code flash} profile: a 1 GB heap with the serial collector on the
 * newest JDK, and the workers at {@code nice 10} so that the checkout wins the cores when all are busy, gave the best
 * 500/s stream (p50 4 ms, p99 210 ms, against 62 and 315 ms). Generational ZGC, whose pauses stay under a millisecond
 * where a core is free, did worse here: its concurrent threads compete for the same two cores as four services and the
 * broker (p99 827 ms at 500/s, and in one run most of the flash sale timed out).
 *
 * <p>The checkouts (the order-service and the Modulith peer) get a 3 GB heap of which 2 GB is the young generation.
 * Inside the system the serial collector's young pauses take 45 to 100 ms whatever the young generation's size (what
 * survives is small; the collector's one thread is slowed by the processes around it), so what can be chosen is how
 * often they come: every 4 s at 500/s with 1 GB (280 MB young), every 24 s with 2 GB young, and the 500/s stream's
 * p99 fell from 42-56 ms to 11-12 ms (BENCHMARKS.md, fourth round). The workers' pauses delay no buyer.
 *
 * @param javaHome the JDK or JRE the services run on ({@code SERVICES_JAVA_HOME}, else the benchmark's own)
 * @param feature its feature release (17, 21, 25)
 * @param options the options every service gets ({@code SERVICES_JVM_OPTIONS} replaces them, to compare)
 * @param checkoutOptions the checkouts' own ({@code CHECKOUT_JVM_OPTIONS} replaces them): the young generation above
 * @param workersNiceness the workers' {@code nice} ({@code WORKERS_NICE}, 19 unless given; 0 for none): the lowest
 *        priority, so that the checkout takes a core from a worker as soon as it wants one (at 10, the 500/s stream's
 *        p99 was 10 to 11 ms; at 19, 9 ms: BENCHMARKS.md, fourth round). The queues wait instead of the buyers.
 */
record ServiceJvm(Path javaHome, int feature, List<String> options, List<String> checkoutOptions, int workersNiceness) {

    static ServiceJvm chosen() {
        String home = System.getenv("SERVICES_JAVA_HOME");
        Path javaHome = Path.of(home == null || home.isBlank() ? System.getProperty("java.home") : home).toAbsolutePath().normalize();
        int feature = featureOf(javaHome);
        String given = System.getenv("SERVICES_JVM_OPTIONS");
        List<String> options = given == null || given.isBlank() ? defaults() : Arrays.asList(given.trim().split("\\s+"));
        String checkout = System.getenv("CHECKOUT_JVM_OPTIONS");
        List<String> checkoutOptions = checkout == null || checkout.isBlank() ? checkoutDefaults(options)
                : Arrays.asList(checkout.trim().split("\\s+"));
        String nice = System.getenv("WORKERS_NICE");
        return new ServiceJvm(javaHome, feature, List.copyOf(options), List.copyOf(checkoutOptions),
                nice == null || nice.isBlank() ? 19 : Integer.parseInt(nice.trim()));
    }

    /** The same rule as {@code service_jvm_options} in scripts/jvm.sh, which scripts/flashsale.sh applies. */
    private static List<String> defaults() {
        // A fixed heap: no resizing under load, the same room for every run, and rarely a full collection.
        return List.of("-Xms1g", "-Xmx1g", "-XX:+UseSerialGC");
    }

    /**
     * The same rule as {@code checkout_jvm_options} in scripts/jvm.sh: a 2 GB young generation in a 3 GB heap; when
     * {@code SERVICES_JVM_OPTIONS} replaced the defaults, those (a comparison of collectors compares them everywhere).
     */
    private static List<String> checkoutDefaults(List<String> options) {
        return options.equals(defaults()) ? List.of("-Xms3g", "-Xmx3g", "-Xmn2g", "-XX:+UseSerialGC") : options;
    }

    /** The feature release in the JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"}), else the running one's. */
    private static int featureOf(Path javaHome) {
        try {
            for (String line : Files.readAllLines(javaHome.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring(line.indexOf('"') + 1);
                    return Integer.parseInt(version.split("[.\"]")[0]);
                }
            }
        }
        catch (IOException | RuntimeException ex) {
            // no release file: fall through
        }
        return Runtime.version().feature();
    }

    /** For the report: which JVM, which options. */
    String describe() {
        return "Java " + feature + " (" + javaHome + "), " + String.join(" ", options)
                + (checkoutOptions.equals(options) ? "" : "; the checkouts " + String.join(" ", checkoutOptions))
                + (workersNiceness == 0 ? ""
                : ", workers at nice " + workersNiceness);
    }
}
