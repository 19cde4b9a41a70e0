package dev.flashsale.load;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.flashsale.system.FlashSaleSystem;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** GETs JSON from the services' APIs, and makes the admin operations the benchmark needs. */
final class JsonHttp {

    private static final Logger log = LoggerFactory.getLogger(JsonHttp.class);

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** How often a GET is tried before the benchmark gives up on it. */
    private static final int ATTEMPTS = 3;

    private JsonHttp() {
    }

    /**
     * The JSON answer of a GET; fails on anything but 200. A GET that times out or cannot connect is tried again, up to
     * {@link #ATTEMPTS} times: on two shared cores a service can stall for seconds (a full GC, the JIT, another build),
     * and a read is safe to repeat. The run still fails if the service does not answer at all.
     */
    static JsonNode get(URI uri) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build();
        for (int attempt = 1; ; attempt++) {
            try {
                HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200) {
                    throw new IllegalStateException("GET " + uri + " answered " + response.statusCode() + ": " + response.body());
                }
                return JSON.readTree(response.body());
            }
            catch (IOException ex) {
                if (attempt == ATTEMPTS) {
                    throw new UncheckedIOException("GET " + uri + " failed " + ATTEMPTS + " times", ex);
                }
                log.warn("GET {} failed ({}); trying again", uri, ex.toString());
            }
            catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(ex);
            }
        }
    }

    /** An admin operation with the system's admin credentials; fails on anything but 200. Not repeated: it changes state. */
    static JsonNode admin(String method, URI uri, @Nullable String json) {
        String credentials = FlashSaleSystem.ADMIN_USERNAME + ":" + FlashSaleSystem.ADMIN_PASSWORD;
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json))
                .build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException(method + " " + uri + " answered " + response.statusCode() + ": " + response.body());
            }
            return JSON.readTree(response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(method + " " + uri + " failed", ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
