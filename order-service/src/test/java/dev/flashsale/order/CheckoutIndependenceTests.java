package dev.flashsale.order;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The checkout and the outbox know nothing of the dashboard: it reads them through the {@code CheckoutView} that the
 * order-service's {@code dashboard} package implements, and can be taken away without a line of them changing. Read
 * from the compiled classes, so an import added in a hurry fails the build, not a review.
 */
class CheckoutIndependenceTests {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.flashsale");

    @Test
    void neitherTheCheckoutNorTheOutboxDependsOnTheDashboard() {
        noClasses().that().resideInAnyPackage("dev.flashsale.order.checkout..", "dev.flashsale.order.outbox..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.flashsale.dashboard..", "dev.flashsale.order.dashboard..")
                .because("the dashboard reads the checkout through CheckoutView, and the checkout must not need it")
                .check(CLASSES);
    }
}
