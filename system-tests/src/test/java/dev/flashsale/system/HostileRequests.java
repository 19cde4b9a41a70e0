package dev.flashsale.system;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Requests that must all be refused: broken JSON, deep nesting, huge bodies, wrong types, overflowing numbers, very
 * long strings, control characters, bad idempotency keys and wrong content types. Generated from a few valid bodies,
 * each made invalid in one way that no mutation can make valid again, and the same on every run: checkouts, and the
 * bodies of the workers' synchronous endpoint and of every admin operation that takes one.
 */
final class HostileRequests {

    /** A request to send: body bytes, its content type (null for none), an {@code Idempotency-Key} (or null), and why it is wrong. */
    record Request(String kind, byte[] body, String contentType, String idempotencyKey, boolean chunked) {

        static Request json(String kind, String body) {
            return new Request(kind, body.getBytes(StandardCharsets.UTF_8), "application/json", null, false);
        }
    }

    private static final String ONE_LINE = """
            {"customer":{"id":"c-1","email":"ada@example.com"},"lines":[{"sku":"SKU-1","quantity":2,"unitPrice":9.99}],"currency":"EUR"}""";

    private static final String TWO_LINES = """
            {"customer":{"id":"c-2","email":"grace@example.com"},"lines":[{"sku":"SKU-1","quantity":1,"unitPrice":9.99},\
            {"sku":"SKU-2","quantity":3,"unitPrice":24.50}],"currency":"USD"}""";

    /** The order with one field's value replaced (raw JSON), e.g. {@code "quantity":"2"}. */
    private static String with(String field, String rawValue) {
        return switch (field) {
            case "customer" -> ONE_LINE.replace("{\"id\":\"c-1\",\"email\":\"ada@example.com\"}", rawValue);
            case "customer.id" -> ONE_LINE.replace("\"c-1\"", rawValue);
            case "customer.email" -> ONE_LINE.replace("\"ada@example.com\"", rawValue);
            case "lines" -> ONE_LINE.replace("[{\"sku\":\"SKU-1\",\"quantity\":2,\"unitPrice\":9.99}]", rawValue);
            case "lines[0]" -> ONE_LINE.replace("{\"sku\":\"SKU-1\",\"quantity\":2,\"unitPrice\":9.99}", rawValue);
            case "lines[0].sku" -> ONE_LINE.replace("\"SKU-1\"", rawValue);
            case "lines[0].quantity" -> ONE_LINE.replace("\"quantity\":2", "\"quantity\":" + rawValue);
            case "lines[0].unitPrice" -> ONE_LINE.replace("9.99", rawValue);
            case "currency" -> ONE_LINE.replace("\"EUR\"", rawValue);
            default -> throw new IllegalArgumentException(field);
        };
    }

    /** Values of other types, or out of range, that no field of that name accepts. */
    private static final Map<String, List<String>> WRONG_VALUES = Map.of(
            "customer", List.of("null", "1", "true", "\"c-1\"", "[]", "{}", "[{\"id\":\"c-1\",\"email\":\"ada@example.com\"}]", "1e400"),
            "customer.id", List.of("null", "1", "-1", "1.5", "true", "false", "[]", "{}", "\"\"", "\" \"", "\"a b\"", "1e400",
                    "99999999999999999999999"),
            "customer.email", List.of("null", "1", "true", "[]", "{}", "\"\"", "\"ada\"", "\"@\"", "\"ada@\"", "\"a b@example.com\"",
                    "1e400", "[\"ada@example.com\"]"),
            "lines", List.of("null", "1", "true", "\"SKU-1\"", "[]", "{}", "[null]", "[1]", "[[]]", "[\"x\"]",
                    "{\"sku\":\"SKU-1\",\"quantity\":2,\"unitPrice\":9.99}"),
            "lines[0]", List.of("null", "1", "true", "\"x\"", "[]", "{}", "{\"sku\":\"SKU-1\"}", "{\"quantity\":2}", "{\"unitPrice\":9.99}"),
            "lines[0].sku", List.of("null", "1", "true", "[]", "{}", "\"\"", "\" \"", "\"SKU 1\"", "\"SKU/1\"", "\"../etc/passwd\"",
                    "\"<script>\"", "\"'; drop table orders; --\"", "1e400"),
            "lines[0].quantity", List.of("null", "\"2\"", "2.5", "2.0", "true", "[]", "{}", "0", "-1", "10001", "2147483648",
                    "-2147483649", "9223372036854775808", "99999999999999999999999999", "1e400", "1e3", "-0.0", "NaN",
                    "Infinity", "0x10"),
            "lines[0].unitPrice", List.of("null", "\"9.99\"", "true", "[]", "{}", "-0.01", "-1", "9.999", "0.001", "1e400",
                    "-1e400", "1e-400", "1e13", "1234567890123.45", "99999999999999999999999999999.99", "NaN", "Infinity",
                    "-Infinity", "1e2147483647", "0x10", "9.99.9"),
            "currency", List.of("null", "1", "true", "[]", "{}", "\"\"", "\"eur\"", "\"EURO\"", "\"E\"", "\"€€€\"", "\"12 \""));

    private HostileRequests() {
    }

    /** Checkouts: at least 1,000 requests, the same on every run. */
    static List<Request> checkout() {
        List<Request> requests = new ArrayList<>();
        Random random = new Random(20261203);

        cutAndTrailing(requests, List.of(ONE_LINE, TWO_LINES));

        // Wrong types and values out of range, field by field.
        WRONG_VALUES.forEach((field, values) -> values.forEach(value -> requests.add(Request.json("wrong type or value of " + field, with(field, value)))));

        // Overflowing numbers: a total of 100 lines of 10,000 units at the highest price, and more lines than allowed.
        String expensiveLine = "{\"sku\":\"SKU-1\",\"quantity\":10000,\"unitPrice\":999999999999.99}";
        requests.add(Request.json("total overflow", with("lines", "[" + String.join(",", Collections.nCopies(100, expensiveLine)) + "]")));
        requests.add(Request.json("total overflow", with("lines", "[" + String.join(",", Collections.nCopies(50, expensiveLine)) + "]")));
        String cheapLine = "{\"sku\":\"SKU-1\",\"quantity\":1,\"unitPrice\":1}";
        requests.add(Request.json("too many lines", with("lines", "[" + String.join(",", Collections.nCopies(101, cheapLine)) + "]")));

        // Deep nesting, in several places, some beyond the body limit.
        for (int depth : List.of(100, 1_000, 5_000, 20_000, 100_000)) {
            requests.add(Request.json("nested arrays", "[".repeat(depth) + "]".repeat(depth)));
            requests.add(Request.json("nested objects", "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
            requests.add(Request.json("nested in lines", with("lines", "[".repeat(depth) + "]".repeat(depth))));
            requests.add(Request.json("nested in customer", with("customer", "{\"id\":".repeat(depth) + "1" + "}".repeat(depth))));
            requests.add(Request.json("unclosed nesting", "[".repeat(depth)));
        }

        // Very long strings, in every text field, around and far beyond its limit and the body limit.
        for (int length : List.of(65, 255, 1_000, 10_000, 60_000, 70_000, 1_000_000)) {
            String text = "a".repeat(length);
            requests.add(Request.json("long customer id", with("customer.id", "\"" + text + "\"")));
            requests.add(Request.json("long email", with("customer.email", "\"" + text + "@example.com\"")));
            requests.add(Request.json("long sku", with("lines[0].sku", "\"" + text + "\"")));
            requests.add(Request.json("long currency", with("currency", "\"" + text.toUpperCase() + "\"")));
            requests.add(Request.json("long unknown field", ONE_LINE.replace("{\"customer\"", "{\"" + text + "\":1,\"customer\"")));
        }
        requests.add(new Request("huge chunked body", ("[" + "1,".repeat(1_000_000) + "1]").getBytes(StandardCharsets.UTF_8),
                "application/json", null, true));
        requests.add(new Request("huge chunked string", with("customer.id", "\"" + "a".repeat(2_000_000) + "\"").getBytes(StandardCharsets.UTF_8),
                "application/json", null, true));

        // Control characters: escaped (valid JSON, invalid text) and raw (invalid JSON), in every text field.
        for (char control = 0; control < 0x20; control++) {
            String escaped = "\\u%04x".formatted((int) control);
            requests.add(Request.json("escaped control character in customer id", with("customer.id", "\"c" + escaped + "1\"")));
            requests.add(Request.json("escaped control character in email", with("customer.email", "\"ada" + escaped + "@example.com\"")));
            requests.add(Request.json("escaped control character in sku", with("lines[0].sku", "\"SKU" + escaped + "1\"")));
            requests.add(Request.json("escaped control character in currency", with("currency", "\"EU" + escaped + "\"")));
            requests.add(Request.json("raw control character in customer id", with("customer.id", "\"c" + control + "1\"")));
            requests.add(Request.json("raw control character in email", with("customer.email", "\"ada" + control + "@example.com\"")));
            requests.add(Request.json("raw control character in sku", with("lines[0].sku", "\"SKU" + control + "1\"")));
            requests.add(Request.json("raw control character in currency", with("currency", "\"EU" + control + "\"")));
        }
        for (String invisible : List.of("\\u007f", "\\u200b", "\\u202e", "\\ufeff", "\\ud800", "\\udfff", "\\u00a0")) {
            requests.add(Request.json("invisible or broken character in customer id", with("customer.id", "\"c" + invisible + "1\"")));
            requests.add(Request.json("invisible or broken character in sku", with("lines[0].sku", "\"SKU" + invisible + "1\"")));
            requests.add(Request.json("invisible or broken character in currency", with("currency", "\"E" + invisible + "R\"")));
        }

        // Not UTF-8: invalid bytes inside a string. (A whole body in UTF-16 is no attack: Jackson reads it as the order it is.)
        byte[] valid = ONE_LINE.getBytes(StandardCharsets.UTF_8);
        for (int b : List.of(0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff, 0xfe)) {
            byte[] broken = valid.clone();
            broken[ONE_LINE.indexOf("c-1") + 1] = (byte) b;
            requests.add(new Request("invalid UTF-8 in a string", broken, "application/json", null, false));
        }

        // Not an order at all.
        for (String body : List.of("", " ", "null", "true", "1", "\"order\"", "[]", "{}", "[" + ONE_LINE + "]", "{\"order\":" + ONE_LINE + "}",
                "<order><sku>SKU-1</sku></order>", "customer=c-1&sku=SKU-1", "{'customer':1}", "{customer:{}}", "// comment\n" + ONE_LINE,
                ONE_LINE.replace("\"currency\":\"EUR\"", "\"currency\":\"EUR\",\"currency\":\"USD\""),
                ONE_LINE.replace("\"currency\"", "\"total\":0.01,\"currency\""), ONE_LINE.replace("\"quantity\"", "\"quantitiy\""))) {
            requests.add(Request.json("not an order", body));
        }

        // Wrong content types, each with a valid order as body: refused as a whole, never read.
        for (String contentType : new String[] {null, "text/plain", "text/html", "application/xml", "application/x-www-form-urlencoded",
                "multipart/form-data; boundary=x", "application/octet-stream", "image/png", "application/javascript", "application/jsonx",
                "json", "*/*", "application/*", "text/json-seq"}) {
            for (String order : List.of(ONE_LINE, TWO_LINES)) {
                requests.add(new Request("content type " + contentType, order.getBytes(StandardCharsets.UTF_8), contentType, null, false));
            }
        }

        // Bad idempotency keys on broken bodies (a valid body with a bad key is covered by the checkout's own tests).
        for (String key : List.of("k".repeat(201), "k".repeat(10_000), " ", "key with spaces")) {
            requests.add(new Request("bad idempotency key", ONE_LINE.substring(0, 20).getBytes(StandardCharsets.UTF_8), "application/json", key, false));
        }

        // Random bytes, never an order: a seeded generator, so the same bytes each run.
        for (int i = 0; i < 200; i++) {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            requests.add(new Request("random bytes", garbage, "application/json", null, false));
        }
        return requests;
    }

    /** A valid {@code order.placed} event for {@code orderId}: the body of a worker's {@code PUT /api/processed/{orderId}}. */
    static String orderPlaced(String orderId) {
        return """
                {"eventId":"0193a000-0000-7000-8000-00000000e0ff","orderId":"%s","customer":{"id":"c-7","email":"grace@example.com"},\
                "lines":[{"sku":"SKU-2","quantity":1,"unitPrice":12.50}],"total":12.50,"currency":"EUR","occurredAt":"2026-12-01T09:00:00Z"}"""
                .formatted(orderId);
    }

    /** Bodies of a worker's {@code PUT /api/processed/{orderId}} that must be refused: none of them an event for that order. */
    static List<Request> orderPlacedEvents(String orderId) {
        String valid = orderPlaced(orderId);
        List<Request> requests = new ArrayList<>();
        // An event may carry fields this reader does not know (a newer producer's): only names too long to read are refused.
        broken(requests, valid, new Random(20261204), true);
        wrongValues(requests, valid, Map.of(
                "\"0193a000-0000-7000-8000-00000000e0ff\"", List.of("null", "1", "\"\"", "\"not-a-uuid\"", "[]", "{}"),
                "\"" + orderId + "\"", List.of("null", "1", "\"\"", "\"not-a-uuid\"", "\"0193a000-0000-7000-8000-000000000002\"", "[]"),
                "\"c-7\"", List.of("null", "1", "true", "\"\"", "[]", "\"" + "a".repeat(1_000) + "\""),
                "\"grace@example.com\"", List.of("null", "1", "\"\"", "\"grace\"", "\"grace@example.com\\u0000\""),
                "\"quantity\":1", List.of("\"quantity\":0", "\"quantity\":-1", "\"quantity\":1.5", "\"quantity\":\"1\"", "\"quantity\":1e400",
                        "\"quantity\":2147483648"),
                "\"unitPrice\":12.50", List.of("\"unitPrice\":-12.50", "\"unitPrice\":12.505", "\"unitPrice\":\"x\"", "\"unitPrice\":null"),
                "\"total\":12.50", List.of("\"total\":12.51", "\"total\":-12.50", "\"total\":1e400", "\"total\":null", "\"total\":\"x\""),
                "\"EUR\"", List.of("null", "\"eur\"", "\"EURO\"", "1"),
                "\"2026-12-01T09:00:00Z\"", List.of("null", "\"yesterday\"", "\"2026-13-01T09:00:00Z\"", "[]"),
                "[{\"sku\"", List.of("[], \"x\":[{\"sku\"", "[null,{\"sku\"")));
        return requests;
    }

    /** Bodies of a worker's {@code PUT /api/admin/faults} that must be refused, leaving the knobs as they were. */
    static List<Request> workerFaultKnobs() {
        String valid = "{\"failureRate\":0.25,\"latency\":\"PT0.1S\",\"crashRate\":0.1}";
        List<Request> requests = new ArrayList<>();
        broken(requests, valid, new Random(20261205), false);
        wrongValues(requests, valid, Map.of(
                "0.25", List.of("-0.1", "1.1", "\"x\"", "null", "1e400", "NaN", "[]"),
                "\"PT0.1S\"", List.of("\"-PT1S\"", "\"soon\"", "null", "-1", "[]", "{}"),
                "0.1}", List.of("2}", "-1}", "\"x\"}", "1e400}", "true}")));
        return requests;
    }

    /** Bodies of a worker's {@code PUT /api/admin/consumption} that must be refused, leaving it consuming. */
    static List<Request> consumptionSwitch() {
        String valid = "{\"consuming\":false}";
        List<Request> requests = new ArrayList<>();
        broken(requests, valid, new Random(20261206), false);
        wrongValues(requests, valid, Map.of("false", List.of("null", "\"no\"", "0", "[]", "{}", "\"false\"")));
        return requests;
    }

    /** Bodies of a worker's {@code PUT /api/admin/consumption/max-rate} that must be refused, leaving it uncapped. */
    static List<Request> rateCap() {
        String valid = "{\"perSecond\":25}";
        List<Request> requests = new ArrayList<>();
        broken(requests, valid, new Random(20261208), false);
        wrongValues(requests, valid, Map.of("25", List.of("null", "0", "-1", "1000001", "2.5", "1e3", "\"25\"", "[]", "{}", "true",
                "99999999999999999999")));
        return requests;
    }

    /** Bodies of the order-service's {@code PUT /api/admin/faults} that must be refused, leaving the fault off. */
    static List<Request> orderServiceFaultKnob() {
        String valid = "{\"afterCommitFault\":\"DROP\"}";
        List<Request> requests = new ArrayList<>();
        broken(requests, valid, new Random(20261207), false);
        wrongValues(requests, valid, Map.of("\"DROP\"", List.of("null", "\"drop\"", "\"EXPLODE\"", "1", "[]", "{}", "\"\"")));
        return requests;
    }

    /** Each valid body cut off at every position (a cut object never closes), and the same with more after it. */
    private static void cutAndTrailing(List<Request> requests, List<String> valid) {
        for (String body : valid) {
            for (int cut = 0; cut < body.length(); cut++) {
                requests.add(Request.json("cut JSON", body.substring(0, cut)));
            }
            requests.add(Request.json("trailing tokens", body + "}"));
            requests.add(Request.json("trailing tokens", body + " {}"));
            requests.add(Request.json("two bodies", body + body));
        }
    }

    /**
     * What breaks any JSON body, whatever its fields: the {@link #cutAndTrailing} ones, nesting, bytes, types, and
     * unknown fields (for a tolerant reader, only those whose name is too long to read).
     */
    private static void broken(List<Request> requests, String valid, Random random, boolean tolerant) {
        cutAndTrailing(requests, List.of(valid));
        for (int depth : List.of(100, 1_000, 20_000)) {
            requests.add(Request.json("nested arrays", "[".repeat(depth) + "]".repeat(depth)));
            requests.add(Request.json("nested objects", "{\"a\":".repeat(depth) + "1" + "}".repeat(depth)));
            requests.add(Request.json("unclosed nesting", "[".repeat(depth)));
        }
        for (int length : tolerant ? List.of(70_000, 1_000_000) : List.of(1, 1_000, 70_000, 1_000_000)) {
            requests.add(Request.json("long unknown field", "{\"" + "a".repeat(length) + "\":1," + valid.substring(1)));
        }
        byte[] bytes = valid.getBytes(StandardCharsets.UTF_8);
        int inString = valid.indexOf(":\"") + 3;
        for (int b : List.of(0x80, 0xc0, 0xff)) {
            byte[] broken = bytes.clone();
            broken[inString] = (byte) b;
            requests.add(new Request("invalid UTF-8 in a string", broken, "application/json", null, false));
        }
        for (String body : List.of("", " ", "null", "true", "1", "\"x\"", "[]", "[" + valid + "]", "<x/>", "a=1", "{'a':1}",
                "// comment\n" + valid)) {
            requests.add(Request.json("not a body of this request", body));
        }
        for (String contentType : new String[] { null, "text/plain", "application/xml", "application/x-www-form-urlencoded",
                "application/octet-stream", "json" }) {
            requests.add(new Request("content type " + contentType, bytes, contentType, null, false));
        }
        for (int i = 0; i < 50; i++) {
            byte[] garbage = new byte[1 + random.nextInt(300)];
            random.nextBytes(garbage);
            requests.add(new Request("random bytes", garbage, "application/json", null, false));
        }
    }

    /** The valid body with one raw snippet replaced by each of its wrong values. */
    private static void wrongValues(List<Request> requests, String valid, Map<String, List<String>> wrong) {
        wrong.forEach((snippet, values) -> {
            if (!valid.contains(snippet)) {
                throw new IllegalArgumentException(snippet + " is not in " + valid);
            }
            values.forEach(value -> requests.add(Request.json("wrong value for " + snippet, valid.replace(snippet, value))));
        });
    }
}
