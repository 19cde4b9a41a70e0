package dev.flashsale.email.confirmation;

import java.util.stream.Collectors;

import dev.flashsale.events.OrderPlaced;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.eclipse.angus.mail.util.MailStreamProvider;

import org.springframework.mail.MailPreparationException;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMessageHelper;
import org.springframework.stereotype.Component;

/** Writes the confirmation mail of an order. */
@Component
class ConfirmationMail {

    /** The system property Jakarta Mail reads first when it looks for its {@code StreamProvider}. */
    static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

    static {
        // Jakarta Mail 2.1 looks its StreamProvider up again on every encode and every writeTo (jakartaee/mail-api#861),
        // with a ServiceLoader that reads META-INF/services from every jar; in a Spring Boot jar that was a third of the
        // email worker's CPU. Named here, it is a Class.forName of a loaded class instead. Angus Mail is the only
        // implementation on the class path; a property set on the command line is kept.
        if (System.getProperty(STREAM_PROVIDER) == null) {
            System.setProperty(STREAM_PROVIDER, MailStreamProvider.class.getName());
        }
    }

    private final JavaMailSender sender;
    private final EmailProperties properties;

    ConfirmationMail(JavaMailSender sender, EmailProperties properties) {
        this.sender = sender;
        this.properties = properties;
    }

    /**
     * The same order always gets the same {@code Message-ID}: if a crash makes the worker send it twice,
     * mail clients and servers see one message twice, not two messages.
     */
    static String messageId(OrderPlaced event, String domain) {
        return "<order-" + event.orderId() + "@" + domain + ">";
    }

    MimeMessage build(OrderPlaced event) {
        try {
            MimeMessage message = sender.createMimeMessage();
            MimeMessageHelper mail = new MimeMessageHelper(message, "UTF-8");
            mail.setFrom(properties.from());
            mail.setTo(event.customer().email());
            mail.setSubject("Your order " + event.orderId() + " is confirmed");
            mail.setText(text(event));
            // SmtpConnections keeps a Message-ID that was set before sending, as JavaMailSenderImpl does.
            message.setHeader("Message-ID", messageId(event, properties.messageIdDomain()));
            return message;
        }
        catch (MessagingException ex) {
            throw new MailPreparationException("Cannot write the confirmation of order " + event.orderId(), ex);
        }
    }

    private static String text(OrderPlaced event) {
        String lines = event.lines().stream()
                .map(line -> "  " + line.quantity() + " x " + line.sku() + " at " + line.unitPrice() + " = " + line.amount())
                .collect(Collectors.joining("\n"));
        return """
                Thank you for your order %s.

                %s

                Total: %s %s
                """.formatted(event.orderId(), lines, event.total(), event.currency());
    }
}
