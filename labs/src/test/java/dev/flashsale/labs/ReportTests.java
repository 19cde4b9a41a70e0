package dev.flashsale.labs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

import org.junit.jupiter.api.Test;

class ReportTests {

    @Test
    void aVerdictStatesTheLessonWhenSeenAndWhatWasSeenOtherwise() {
        Report report = new Report()
                .line("%d orders", 3)
                .verdict(true, "the lesson", "what it saw instead")
                .verdict(false, "another lesson", "not the other lesson");

        assertThat(report.lines()).containsExactly("3 orders", "=> the lesson", "=> not the other lesson");
        assertThat(report.shown()).isFalse();
        assertThat(report.missed()).containsExactly("not the other lesson");
    }

    @Test
    void aLineWithoutArgumentsIsPrintedAsItIs() {
        assertThat(new Report().line("hash(customer) % 4").lines()).containsExactly("hash(customer) % 4");
    }

    @Test
    void aReportThatMissedALessonFailsOncePrinted() {
        Report report = new Report().verdict(false, "lesson", "nothing seen");

        assertThatIllegalStateException().isThrownBy(report::print)
                .withMessage("The lab did not show what it is about: nothing seen");
    }

    @Test
    void aReportThatSawEveryLessonPrintsAndPasses() {
        new Report().verdict(true, "lesson", "nothing seen").print();
    }
}
