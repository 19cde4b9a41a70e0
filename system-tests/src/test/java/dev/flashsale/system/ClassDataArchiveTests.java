package dev.flashsale.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which JVM writes the archive, which maps it, and what becomes of a second copy: no JVM needed. */
class ClassDataArchiveTests {

    @TempDir
    Path directory;

    private ClassDataArchive classData() {
        return new ClassDataArchive(directory.resolve("app.jar"), directory.resolve("classes.jsa"));
    }

    @Test
    void aServiceWithoutArchiveWritesOneAtExitUnderAName() {
        ClassDataArchive classData = classData();
        Path pending = classData.pending();

        assertThat(classData.launch(pending)).containsExactly("-XX:ArchiveClassesAtExit=" + pending, "-Xlog:cds=error", "-jar",
                directory.resolve("app.jar").toString());
        assertThat(classData.pending()).as("each process its own name").isNotEqualTo(pending);
    }

    @Test
    void theArchiveWrittenAtExitIsMappedByTheNextProcess() throws IOException {
        ClassDataArchive classData = classData();
        Path pending = classData.pending();
        Files.writeString(pending, "written at exit");

        classData.keep(pending);

        assertThat(directory.resolve("classes.jsa")).hasContent("written at exit");
        assertThat(pending).doesNotExist();
        assertThat(classData.launch(classData.pending())).containsExactly("-XX:SharedArchiveFile=" + directory.resolve("classes.jsa"),
                "-jar", directory.resolve("app.jar").toString());
    }

    @Test
    void aSecondCopyIsDroppedAndTheFirstKept() throws IOException {
        ClassDataArchive classData = classData();
        Path first = classData.pending();
        Path second = classData.pending();
        Files.writeString(first, "first");
        Files.writeString(second, "second");

        classData.keep(first);
        classData.keep(second);

        assertThat(directory.resolve("classes.jsa")).hasContent("first");
        assertThat(second).doesNotExist();
    }

    @Test
    void whatAKilledProcessWroteIsDropped() throws IOException {
        ClassDataArchive classData = classData();
        Path pending = classData.pending();
        Files.writeString(pending, "half an archive");

        classData.discard(pending);

        assertThat(pending).doesNotExist();
        assertThat(directory.resolve("classes.jsa")).doesNotExist();
    }

    @Test
    void aKilledProcessLeavesNothingToKeep() {
        ClassDataArchive classData = classData();

        classData.keep(classData.pending());

        assertThat(directory.resolve("classes.jsa")).doesNotExist();
    }
}
