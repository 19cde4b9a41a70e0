package dev.flashsale.dashboard;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import dev.flashsale.events.EventMessages;
import dev.flashsale.events.OrderPlaced;
import dev.flashsale.events.Topology;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends a poison message, for demos and tests: {@code POST /api/admin/poison[?kind=malformed-json|unknown-version]}
 * publishes one message that no worker can ever process straight to the {@code orders} exchange (not through the
 * outbox: it is no order), so that each worker's copy is dead-lettered at its first attempt, without retries.
 * Behind the admin credentials, like everything under {@code /api/admin}.
 *
 * <ul>
 * <li>{@code malformed-json}: the right headers and a body cut off in the middle;</li>
 * <li>{@code unknown-version}: a well-formed order under {@code event-version} 99, as from a producer ahead of its
 * consumers.</li>
 * </ul>
 */
@RestController
class PoisonMessageController {

    private static final Logger log = LoggerFactory.getLogger(PoisonMessageController.class);

    static final int UNKNOWN_VERSION = 99;

    private static final long CONFIRM_TIMEOUT_SECONDS = 5;

    private final RabbitTemplate rabbit;
    private final JsonMapper json;

    PoisonMessageController(RabbitTemplate rabbit, JsonMapper json) {
        this.rabbit = rabbit;
        this.json = json;
    }

    /**
     * What was published.
     *
     * @param kind which poison
     * @param messageId its message id (and event id)
     * @param orderId the order id in its {@code order-id} header, which no order has: find its dead letters by it
     */
    record Poison(String kind, UUID messageId, UUID orderId) {
    }

    @PostMapping("/api/admin/poison")
    ResponseEntity<?> send(@RequestParam(defaultValue = "malformed-json") String kind) throws InterruptedException {
        UUID eventId = UUID.randomUUID();
        UUID orderId = UUID.randomUUID();
        Message message = switch (kind) {
            case "malformed-json" -> message(eventId, orderId, OrderPlaced.VERSION,
                    ("{\"eventId\":\"" + eventId + "\",\"orderId\":\"" + orderId + "\",\"customer\":{\"id\":\"poi").getBytes(StandardCharsets.UTF_8));
            case "unknown-version" -> message(eventId, orderId, UNKNOWN_VERSION, json.writeValueAsBytes(new OrderPlaced(eventId, orderId,
                    new OrderPlaced.Customer("poison", "poison@example.com"),
                    List.of(new OrderPlaced.Line("POISON-1", 1, BigDecimal.ONE)), BigDecimal.ONE, "EUR", Instant.now())));
            default -> null;
        };
        if (message == null) {
            return Problems.of(HttpStatus.BAD_REQUEST, "Unknown poison", "kind must be malformed-json or unknown-version, not '" + kind + "'.");
        }
        CorrelationData correlation = new CorrelationData(eventId.toString());
        try {
            rabbit.send(Topology.ORDERS_EXCHANGE, "", message, correlation);
            CorrelationData.Confirm confirm = correlation.getFuture().get(CONFIRM_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (!confirm.ack() || correlation.getReturned() != null) {
                return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Poison not taken by the broker",
                        "The broker did not take the poison message: " + (confirm.ack() ? "it reached no queue" : confirm.reason()) + ".");
            }
        }
        catch (AmqpException | ExecutionException | TimeoutException ex) {
            return Problems.of(HttpStatus.SERVICE_UNAVAILABLE, "Broker unavailable", "The poison message could not be published: " + ex.getMessage());
        }
        log.warn("Poison message {} ({}) published for order id {}: every worker dead-letters it", eventId, kind, orderId);
        return ResponseEntity.accepted().body(new Poison(kind, eventId, orderId));
    }

    /** As the outbox builds an event's message: a poison must look like an event to be taken for one. */
    private static Message message(UUID eventId, UUID orderId, int version, byte[] body) {
        return new EventMessages("order-service").message(eventId, orderId, OrderPlaced.TYPE, version, Instant.now(), body);
    }
}
