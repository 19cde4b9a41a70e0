package dev.flashsale.order;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client for the service under test: what a user's curl does, in Java. */
public class TestApi {

    /** An HTTP answer, with its body parsed when it is JSON. */
    public record Answer(int status, HttpHeaders headers, String body, JsonNode json) {

        static Answer of(int status, HttpHeaders headers, String body) {
            String type = headers.firstValue("Content-Type").orElse("");
            return new Answer(status, headers, body, type.contains("json") && !body.isEmpty() ? JSON.readTree(body) : null);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        public String contentType() {
            return header("Content-Type");
        }

        public UUID orderId() {
            return UUID.fromString(json.get("orderId").asString());
        }
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Supplier<Integer> port;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    TestApi(Supplier<Integer> port) {
        this.port = port;
    }

    /** A valid order for one SKU; {@code quantity} times 9.99 EUR. */
    public static String order(String sku, int quantity) {
        return """
                {"customer":{"id":"c-42","email":"ada@example.com"},
                 "lines":[{"sku":"%s","quantity":%d,"unitPrice":9.99}],
                 "currency":"EUR"}""".formatted(sku, quantity);
    }

    public Answer checkout(String json, String... headers) {
        return send(request("/api/orders", headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    /** The synchronous checkout, {@code POST /api/orders/sync}. */
    public Answer checkoutSync(String json, String... headers) {
        return send(request("/api/orders/sync", headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public Answer get(String path) {
        return send(request(path).GET().build());
    }

    public Answer send(HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return Answer.of(response.statusCode(), response.headers(), response.body());
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Sends a request the server refuses before reading it to its end (headers over its limit), over a plain socket: the
     * whole request in one write, then the answer read to its end. The server answers and closes with bytes still unread,
     * and TCP answers such a close with a reset. The answer arrived before the reset and stays readable, but a client
     * that is still writing when the reset comes fails: Java's HttpClient writes the body after the headers and gives
     * up on the exchange when that write fails, about once in a thousand here. Written in one go, the request is in the
     * server's receive buffer before the server reads a byte of it. (HTTP/1.1 asks servers to drain such a request
     * before they close, a "lingering close", for exactly this reason; Tomcat does not.)
     */
    public Answer sendInOneWrite(String method, String path, String body, String... headers) {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        byte[] content = body.getBytes(StandardCharsets.UTF_8);
        request.append("Content-Length: ").append(content.length).append("\r\nConnection: close\r\n\r\n");
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(request.toString().getBytes(StandardCharsets.ISO_8859_1));
        whole.writeBytes(content);
        try (Socket socket = new Socket("127.0.0.1", port.get())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(whole.toByteArray());
            return parse(new String(readUntilClosed(socket.getInputStream()), StandardCharsets.UTF_8));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** Everything until the server's close; a reset after the answer ends the answer as a close does. */
    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n; (n = in.read(buffer)) != -1;) {
                answer.write(buffer, 0, n);
            }
        }
        catch (SocketException reset) {
            if (answer.size() == 0) {
                throw reset;
            }
        }
        return answer.toByteArray();
    }

    private static Answer parse(String raw) {
        int end = raw.indexOf("\r\n\r\n");
        String[] lines = raw.substring(0, end).split("\r\n");
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : Arrays.asList(lines).subList(1, lines.length)) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim(), name -> new ArrayList<>()).add(line.substring(colon + 1).trim());
        }
        return Answer.of(Integer.parseInt(lines[0].split(" ")[1]), HttpHeaders.of(headers, (name, value) -> true),
                raw.substring(end + 4));
    }

    public HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        return headers.length == 0 ? builder : builder.headers(headers);
    }

    /** A body of unknown length, sent chunked: the server cannot refuse it from its Content-Length. */
    public static HttpRequest.BodyPublisher chunked(byte[] body) {
        return HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body));
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port.get() + path);
    }
}
