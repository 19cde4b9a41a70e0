package dev.flashsale.email.confirmation;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import jakarta.mail.util.StreamProvider;
import org.eclipse.angus.mail.util.MailStreamProvider;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ConfirmationMailTests {

    @Test
    void messageIdDependsOnTheOrderOnly() {
        UUID orderId = UUID.fromString("5f0c6a1e-9d2b-4c3e-8f4a-1b2c3d4e5f60");

        String first = ConfirmationMail.messageId(orderPlaced(orderId), "flashsale.local");
        String redelivered = ConfirmationMail.messageId(orderPlaced(orderId), "flashsale.local");

        assertThat(first).isEqualTo("<order-5f0c6a1e-9d2b-4c3e-8f4a-1b2c3d4e5f60@flashsale.local>").isEqualTo(redelivered);
    }

    @Test
    void jakartaMailFindsItsStreamProviderByNameNotByScanningTheClassPath() {
        ConfirmationMail.messageId(orderPlaced(UUID.randomUUID()), "flashsale.local");   // the class is initialised

        assertThat(System.getProperty(ConfirmationMail.STREAM_PROVIDER)).isEqualTo(MailStreamProvider.class.getName());
        assertThat(StreamProvider.provider()).isInstanceOf(MailStreamProvider.class);
    }

    private static OrderPlaced orderPlaced(UUID orderId) {
        return new OrderPlaced(UUID.randomUUID(), orderId, new OrderPlaced.Customer("c-42", "ada@example.com"),
                List.of(new OrderPlaced.Line("SKU-1", 1, BigDecimal.ONE)), BigDecimal.ONE, "EUR", Instant.now());
    }
}
