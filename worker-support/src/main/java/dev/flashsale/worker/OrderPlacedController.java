package dev.flashsale.worker;

import java.net.URI;
import java.util.UUID;

import dev.flashsale.events.OrderPlaced;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP twin of the worker's queue listener, for the synchronous checkout: {@code PUT /api/processed/{orderId}}
 * with the {@link OrderPlaced} as its body applies it the same way ({@link OrderApplier#applyAlone}), so the same
 * dedup, the same effect and the same simulated costs, and answers once the order is applied.
 *
 * <p>{@code PUT} because the call is idempotent: a client that retries after a timeout gets the order applied
 * once, with {@code 201} the first time and {@code 200} after that. There is no retry here and no dead letter: a
 * failure is the caller's to handle, which is what the synchronous checkout demonstrates. The fault knobs apply,
 * as they do to each attempt on the queue, so that a failing or slow worker fails or slows the synchronous
 * checkout too.
 *
 * <p>The body is read by the same reader as a delivery ({@link OrderPlacedMessageConverter}): what the queue would
 * dead-letter as unreadable is a {@code 400} here, never an order. Only a failure while applying it is a {@code 503}.
 */
@RestController
class OrderPlacedController {

    private static final Logger log = LoggerFactory.getLogger(OrderPlacedController.class);

    private final OrderPlacedMessageConverter reader;
    private final OrderApplier applier;
    private final IdempotentProcessor processor;

    OrderPlacedController(OrderPlacedMessageConverter reader, OrderApplier applier, IdempotentProcessor processor) {
        this.reader = reader;
        this.applier = applier;
        this.processor = processor;
    }

    @PutMapping(path = "/api/processed/{orderId}", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ProcessedOrder> apply(@PathVariable UUID orderId, @RequestBody byte[] body) throws InterruptedException {
        OrderPlaced event = reader.read(body);
        if (!orderId.equals(event.orderId())) {
            throw new UnreadableEventException("The path names order " + orderId + ", the body order " + event.orderId());
        }
        boolean appliedBefore;
        try {
            appliedBefore = applier.applyAlone(event).isEmpty();
        }
        catch (RuntimeException failure) {
            throw new ApplyFailedException(failure);
        }
        ProcessedOrder processed = processor.find(orderId)
                .orElseThrow(() -> new IllegalStateException("Order " + orderId + " was handled but has no dedup row"));
        return appliedBefore ? ResponseEntity.ok(processed)
                : ResponseEntity.created(URI.create("/api/processed/" + orderId)).body(processed);
    }

    /** An event the worker can never apply: the caller sent something wrong. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> unreadable(UnreadableEventException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
        problem.setTitle("Invalid order event");
        return ResponseEntity.badRequest().body(problem);
    }

    /** Applying it failed (a fault knob, a database, SMTP): the caller may try again later. */
    @ExceptionHandler
    ResponseEntity<ProblemDetail> failed(ApplyFailedException ex) {
        Throwable cause = FailureClassifier.rootCause(ex);
        log.warn("Applying an order over HTTP failed: {}", cause.toString());
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                "The order could not be applied: " + cause);
        problem.setTitle("Worker failed");
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(problem);
    }

    /** A failure while applying an order, as opposed to a request that could not be read. */
    static final class ApplyFailedException extends RuntimeException {

        ApplyFailedException(RuntimeException cause) {
            super(cause.getMessage(), cause);
        }
    }
}
