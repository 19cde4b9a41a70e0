package dev.flashsale.email.confirmation;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Properties;
import java.util.UUID;

import com.icegreen.greenmail.util.GreenMail;
import dev.flashsale.testsupport.NoDelayGreenMail;
import dev.flashsale.testsupport.TcpProxy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.springframework.mail.MailSendException;
import org.springframework.mail.javamail.JavaMailSenderImpl;
import org.springframework.mail.javamail.MimeMessageHelper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The one SMTP failure that leaves a mail's fate unknown, made to happen on purpose: a real SMTP server (GreenMail)
 * behind a TCP proxy that watches the bytes and strikes right after the mail's data ({@code CRLF.CRLF}), before the
 * server's reply reaches the worker.
 */
public class SmtpConnectionsTests {

    /** The end of a mail's data in SMTP: a line holding a single dot. */
    public static final byte[] END_OF_DATA = "\r\n.\r\n".getBytes(StandardCharsets.US_ASCII);

    /** How long the worker waits for the reply to a command, in these tests. */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);

    private final GreenMail server = NoDelayGreenMail.startOnFreePort();
    private final TcpProxy proxy = new TcpProxy("127.0.0.1", server.getSmtp().getPort());
    private final UnansweredSends unanswered = new UnansweredSends(new SimpleMeterRegistry());

    @AfterEach
    void stop() {
        proxy.close();
        server.stop();
    }

    @Test
    void aReplyLostAfterTheDataIsAnUnansweredSendWhileTheServerHasTheMail() throws Exception {
        SmtpConnections connections = connections(Duration.ofSeconds(60));
        MimeMessage mail = mail(connections);
        TcpProxy.Interception lost = proxy.loseNextReplyTo(END_OF_DATA);

        assertThatThrownBy(() -> connections.send(mail)).isInstanceOf(UnansweredMailException.class)
                .hasMessageContaining(mail.getMessageID());

        assertThat(lost.struck()).isTrue();
        assertThat(copiesOf(mail)).as("the server took the mail whose reply was lost").isEqualTo(1);
        assertThat(unanswered.count()).isEqualTo(1);
        // Sent again, as the worker's retry does: a second copy, with the same Message-ID.
        connections.send(mail);
        assertThat(copiesOf(mail)).isEqualTo(2);
        assertThat(unanswered.count()).isEqualTo(1);
    }

    @Test
    void aSlowReplyToTheDataIsWaitedForLongerThanACommandAndTheMailIsSentOnce() throws Exception {
        SmtpConnections connections = connections(Duration.ofSeconds(60));
        MimeMessage mail = mail(connections);
        TcpProxy.Interception slow = proxy.delayNextReplyTo(END_OF_DATA, COMMAND_TIMEOUT.multipliedBy(2));

        connections.send(mail);

        assertThat(slow.struck()).isTrue();
        assertThat(copiesOf(mail)).isEqualTo(1);
        assertThat(unanswered.count()).isZero();
    }

    @Test
    void withTheCommandsWaitForTheDataToo_theSameSlowReplyIsGivenUpOnAndTheMailWouldBeSentTwice() throws Exception {
        // What the worker did before the reply to the data had a wait of its own.
        SmtpConnections connections = connections(COMMAND_TIMEOUT);
        MimeMessage mail = mail(connections);
        TcpProxy.Interception slow = proxy.delayNextReplyTo(END_OF_DATA, COMMAND_TIMEOUT.multipliedBy(2));

        assertThatThrownBy(() -> connections.send(mail)).isInstanceOf(UnansweredMailException.class);

        assertThat(slow.awaitStruck(Duration.ofSeconds(10))).isTrue();
        assertThat(copiesOf(mail)).isEqualTo(1);
        assertThat(unanswered.count()).isEqualTo(1);
        connections.send(mail);
        assertThat(copiesOf(mail)).isEqualTo(2);
    }

    @Test
    void aServerThatCannotBeReachedIsAFailedSendNotAnUnansweredOne() throws Exception {
        SmtpConnections connections = connections(Duration.ofSeconds(60));
        MimeMessage mail = mail(connections);
        proxy.cut();

        assertThatThrownBy(() -> connections.send(mail)).isInstanceOf(MailSendException.class)
                .isNotInstanceOf(UnansweredMailException.class);

        assertThat(copiesOf(mail)).isZero();
        assertThat(unanswered.count()).isZero();
    }

    @Test
    void aConnectionCutWhileTheDataIsOnItsWayIsAFailedSendNotAnUnansweredOne() throws Exception {
        SmtpConnections connections = connections(Duration.ofSeconds(60));
        MimeMessage mail = mail(connections);
        // The reply to DATA (354) is lost: the connection drops before a byte of the mail's data has gone out.
        proxy.loseNextReplyTo("DATA\r\n".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> connections.send(mail)).isInstanceOf(MailSendException.class)
                .isNotInstanceOf(UnansweredMailException.class);

        assertThat(copiesOf(mail)).isZero();
        assertThat(unanswered.count()).isZero();
    }

    private SmtpConnections connections(Duration dataReplyTimeout) {
        JavaMailSenderImpl sender = new JavaMailSenderImpl();
        sender.setHost("127.0.0.1");
        sender.setPort(proxy.port());
        Properties properties = new Properties();
        properties.put("mail.smtp.connectiontimeout", "1000");
        properties.put("mail.smtp.timeout", String.valueOf(COMMAND_TIMEOUT.toMillis()));
        sender.setJavaMailProperties(properties);
        return new SmtpConnections(sender, new EmailProperties("orders@flashsale.local", "flashsale.local", Duration.ofMillis(50),
                dataReplyTimeout), unanswered);
    }

    private static MimeMessage mail(SmtpConnections connections) throws MessagingException {
        MimeMessage message = new JavaMailSenderImpl().createMimeMessage();
        MimeMessageHelper mail = new MimeMessageHelper(message, "UTF-8");
        mail.setFrom("orders@flashsale.local");
        mail.setTo("ada@example.com");
        mail.setSubject("Your order is confirmed");
        mail.setText("Thank you.");
        message.setHeader("Message-ID", "<order-" + UUID.randomUUID() + "@flashsale.local>");
        return message;
    }

    private long copiesOf(MimeMessage mail) throws MessagingException {
        String messageId = mail.getMessageID();
        return Arrays.stream(server.getReceivedMessages()).filter(received -> {
            try {
                return messageId.equals(received.getMessageID());
            }
            catch (MessagingException ex) {
                throw new IllegalStateException(ex);
            }
        }).count();
    }
}
