package dev.flashsale.load;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives every request of a stream a known outcome: a request that got no answer in time (the load generator's
 * timeout) may still have placed its order, so it is offered again after the stream, with the same
 * {@code Idempotency-Key} and body, as a client that retries would. The checkout answers with the order it placed the
 * first time ({@code Idempotent-Replayed: true}), or places it now. Without this the accounting would count a late
 * answer's order as "applied, never accepted". A 503 is offered again too: the checkout answers it when an order was
 * not committed within its wait, and the commit may still come (seen in a cold scaled system on PostgreSQL: 50 orders
 * answered 503 were committed and applied, and counted as applied, never accepted).
 *
 * <p>The request still counts as failed in the stream's figures (it was not answered in time); only the accounting
 * learns its outcome.
 */
final class Reoffer {

    private static final Logger log = LoggerFactory.getLogger(Reoffer.class);

    private static final int ATTEMPTS = 3;

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Reoffer() {
    }

    /** The entries with every unanswered valid request replaced by the outcome of offering it again. */
    static List<RequestLog.Entry> unanswered(List<RequestLog.Entry> entries, URI checkout) {
        List<RequestLog.Entry> known = new ArrayList<>(entries.size());
        int reoffered = 0;
        for (RequestLog.Entry entry : entries) {
            if ((entry.answered() && entry.status() != 503) || !entry.valid()) {
                known.add(entry);
                continue;
            }
            known.add(offerAgain(entry, checkout));
            reoffered++;
        }
        if (reoffered > 0) {
            log.info("Offered {} unanswered (or 503) request(s) again with their Idempotency-Key", reoffered);
        }
        return known;
    }

    private static RequestLog.Entry offerAgain(RequestLog.Entry entry, URI checkout) {
        HttpRequest request = HttpRequest.newBuilder(checkout).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Idempotency-Key", entry.idempotencyKey())
                .POST(HttpRequest.BodyPublishers.ofString(entry.body())).build();
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() / 100 == 2) {
                    JsonNode answer = JsonHttp.JSON.readTree(response.body());
                    return new RequestLog.Entry(entry.sentAt(), -1, response.statusCode(), true,
                            UUID.fromString(answer.get("orderId").asText()), entry.units(), entry.idempotencyKey(), entry.body(), true,
                            entry.express());
                }
                if (response.statusCode() != 503) {
                    return new RequestLog.Entry(entry.sentAt(), -1, response.statusCode(), true, null, entry.units(),
                            entry.idempotencyKey(), entry.body(), true, entry.express());
                }
            }
            catch (IOException ex) {
                log.warn("Offering request {} again failed ({}), attempt {} of {}", entry.idempotencyKey(), ex.toString(), attempt, ATTEMPTS);
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
        return entry;
    }
}
