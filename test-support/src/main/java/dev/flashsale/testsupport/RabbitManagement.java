package dev.flashsale.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

/**
 * RabbitMQ's management HTTP API, as plain requests and JSON text: what the tests' virtual hosts, the fault suite's
 * own node and the benchmark's queue sampling share. Each caller reads the JSON with its own mapper.
 */
public final class RabbitManagement {

    private final URI base;
    private final String authorization;
    // HTTP/1.1: the management API's server drops a POST that asks to upgrade to HTTP/2, as the JDK client does by default.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();

    public RabbitManagement(URI base, String username, String password) {
        this.base = base;
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    public URI base() {
        return base;
    }

    /**
     * Sends a request ({@code body} JSON, or none) and returns the answer's body.
     *
     * @throws IllegalStateException when the API answers with an error status
     * @throws UncheckedIOException when it does not answer
     */
    public String send(String method, String path, String body) {
        // Appended, not resolved: a management API behind a proxy may live under a path of its own.
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/+$", "") + path))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", authorization)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() >= 300) {
                throw new IllegalStateException("RabbitMQ management API: " + method + " " + path + " answered "
                        + response.statusCode() + " " + response.body());
            }
            return response.body();
        }
        catch (IOException ex) {
            throw new UncheckedIOException("The RabbitMQ management API does not answer at " + base + ": " + method + " " + path, ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** Whether the API answers at all. */
    public boolean answers() {
        try {
            send("GET", "/api/overview", null);
            return true;
        }
        catch (RuntimeException ex) {
            return false;
        }
    }

    /** A virtual host's or a queue's name as one segment of a path. */
    public static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
