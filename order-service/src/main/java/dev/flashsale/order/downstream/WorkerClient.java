package dev.flashsale.order.downstream;

import java.time.Duration;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import dev.flashsale.events.OrderPlaced;

import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * One worker called over HTTP by the synchronous checkout: {@code PUT /api/processed/{orderId}} with the same
 * {@link OrderPlaced} the asynchronous checkout publishes, handled by the same code as the worker's queue listener.
 */
public final class WorkerClient {

    private final String name;
    private final RestClient http;

    WorkerClient(String name, RestClient http) {
        this.name = name;
        this.http = http;
    }

    /** The worker's name, as its module is called. */
    public String name() {
        return name;
    }

    /**
     * Has the worker apply the order, and waits until it has.
     *
     * @throws DownstreamException if the worker cannot be reached, does not answer in time, or fails
     */
    public Step apply(OrderPlaced event) {
        long start = System.nanoTime();
        try {
            Applied applied = http.put().uri("/api/processed/{orderId}", event.orderId()).body(event)
                    .retrieve().body(Applied.class);
            return new Step(name, applied == null ? null : applied.outcome(), Duration.ofNanos(System.nanoTime() - start).toMillis());
        }
        catch (RestClientResponseException ex) {
            throw new DownstreamException(name, "answered " + ex.getStatusCode().value(), ex);
        }
        catch (ResourceAccessException ex) {
            throw new DownstreamException(name, "could not be reached (" + ex.getMostSpecificCause() + ")", ex);
        }
        catch (RestClientException ex) {
            throw new DownstreamException(name, "gave an unreadable answer (" + ex.getMostSpecificCause() + ")", ex);
        }
    }

    /** What a worker answers, of which the checkout keeps the outcome: a tolerant reader, like the event consumers. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    record Applied(String outcome) {
    }

    /**
     * One downstream call of a synchronous checkout.
     *
     * @param worker the worker called
     * @param outcome what applying the order did there, e.g. {@code reserved}, {@code rejected}, {@code sent}
     * @param millis how long the call took, as the checkout saw it
     */
    public record Step(String worker, String outcome, long millis) {
    }
}
