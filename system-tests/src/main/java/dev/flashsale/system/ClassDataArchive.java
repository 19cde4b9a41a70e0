package dev.flashsale.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a service's JVM is launched so that it starts in about half the time: from its jar extracted, with the JDK's
 * class-data sharing (AppCDS). A Boot service spends most of its start-up reading, parsing and verifying its classes;
 * an archive of them, written by one JVM at its exit, is mapped by every later JVM of the same service instead. The
 * order-service alone, here: 11.7 s to start from its extracted jar, 7.9 s with the archive (JDK 17); four services
 * at once on two cores gain more, since the work saved is CPU.
 *
 * <p>The first process of a service in a build writes the archive when it exits ({@code -XX:ArchiveClassesAtExit}, to
 * a name of its own, moved into place after the exit, so that two instances never write one file); every later one
 * maps it ({@code -XX:SharedArchiveFile}). A process that is killed, or that does not exit in time, leaves no archive
 * (what it may have written of one is deleted), and the next one tries again. The
 * JVM checks an archive against its own version and the class path's jars, and starts without it (a warning in its
 * log) when they differ: an archive makes a service start faster or not, never behave differently.
 *
 * <p>The JDK archives classes from plain jar files only, not from the jars nested in a Boot jar, hence the extracted
 * layout (Boot's {@code -Djarmode=tools extract}: the application's jar beside a {@code lib/} of its dependencies,
 * the layout Boot recommends for production too). It lives under the module's {@code target/class-data/}, named after
 * the jar's size and time, so that a rebuilt jar is extracted again and {@code mvn clean} removes it all.
 */
final class ClassDataArchive {

    private static final Logger log = LoggerFactory.getLogger(ClassDataArchive.class);

    private final Path extractedJar;
    private final Path archive;

    ClassDataArchive(Path extractedJar, Path archive) {
        this.extractedJar = extractedJar;
        this.archive = archive;
    }

    /** The archive of {@code jar}'s classes for the JVM at {@code javaHome}, the jar extracted first if it is not yet. */
    static synchronized ClassDataArchive of(Path jar, Path javaHome) {
        try {
            String stamp = Long.toHexString(Files.size(jar)) + "-" + Long.toHexString(Files.getLastModifiedTime(jar).toMillis());
            Path directory = jar.resolveSibling("class-data").resolve(stamp);
            if (!Files.isDirectory(directory)) {
                extract(jar, javaHome, directory);
            }
            String jvm = Integer.toHexString(javaHome.toAbsolutePath().normalize().toString().hashCode());
            return new ClassDataArchive(directory.resolve(jar.getFileName()), directory.resolve("classes-" + jvm + ".jsa"));
        }
        catch (IOException ex) {
            throw new UncheckedIOException("Cannot prepare " + jar + " for class-data sharing", ex);
        }
    }

    /**
     * What comes before the application's arguments on the command line: the options that map the archive, or that
     * write it at exit to {@code pending} (to hand to {@link #keep(Path)} once the process has exited), and the jar.
     */
    List<String> launch(Path pending) {
        if (Files.isRegularFile(archive)) {
            return List.of("-XX:SharedArchiveFile=" + archive, "-jar", extractedJar.toString());
        }
        // Writing, the JVM warns of every class it leaves out (some hundreds: generated, or not verifiable ahead):
        // not the service's business, so only its errors reach the service's log.
        return List.of("-XX:ArchiveClassesAtExit=" + pending, "-Xlog:cds=error", "-jar", extractedJar.toString());
    }

    /** A name for the archive a process may write at its exit, its own. */
    Path pending() {
        return archive.resolveSibling("pending-" + UUID.randomUUID() + ".jsa");
    }

    /** After the process's exit: its archive, if it wrote one, becomes the service's (any other copy is dropped). */
    void keep(Path pending) {
        if (!Files.isRegularFile(pending)) {
            return;
        }
        try {
            if (Files.isRegularFile(archive)) {
                Files.delete(pending);
                return;
            }
            Files.move(pending, archive, StandardCopyOption.ATOMIC_MOVE);
            log.info("Class-data archive written: {}", archive);
        }
        catch (IOException ex) {
            log.warn("Class-data archive {} not kept: {}", pending, ex.toString());
        }
    }

    /** After a process was killed: whatever it had written of an archive is no archive. */
    void discard(Path pending) {
        try {
            Files.deleteIfExists(pending);
        }
        catch (IOException ex) {
            log.warn("Part of a class-data archive left at {}: {}", pending, ex.toString());
        }
    }

    private static void extract(Path jar, Path javaHome, Path directory) throws IOException {
        Path temporary = directory.resolveSibling(directory.getFileName() + "-" + UUID.randomUUID());
        Process extract = new ProcessBuilder(javaHome.resolve("bin").resolve("java").toString(), "-Djarmode=tools", "-jar",
                jar.toString(), "extract", "--destination", temporary.toString()).redirectErrorStream(true).start();
        try {
            String output = new String(extract.getInputStream().readAllBytes()); // to the end: the process has ended
            if (extract.waitFor() != 0) {
                throw new IllegalStateException("Cannot extract " + jar + ":\n" + output);
            }
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            extract.destroyForcibly();
            throw new IllegalStateException("Interrupted while extracting " + jar, ex);
        }
        // Another process (the benchmark's, a second build) may have extracted the same jar meanwhile: either copy serves.
        try {
            Files.move(temporary, directory, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (IOException alreadyThere) {
            if (!Files.isDirectory(directory)) {
                throw alreadyThere;
            }
            try (var paths = Files.walk(temporary)) {
                for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
        }
    }
}
