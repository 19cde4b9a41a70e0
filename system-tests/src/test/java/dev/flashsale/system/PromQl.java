package dev.flashsale.system;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, found without a PromQL parser: what is left of the expression once
 * everything that is not a metric name is taken out, in this order (each step would be fooled by what an earlier one
 * removes: a brace inside a string, a label list inside a matcher):
 * <ol>
 * <li>strings, in any of PromQL's three quotes (label values, regexes, Grafana's {@code "$vhost"});</li>
 * <li>label matchers, {@code {...}};</li>
 * <li>ranges and subqueries, {@code [5m]}, {@code [$__rate_interval]}, {@code [1h:1m]};</li>
 * <li>label lists, {@code by (...)}, {@code without (...)}, {@code on (...)}, {@code ignoring (...)},
 * {@code group_left (...)}, {@code group_right (...)};</li>
 * <li>then, of the identifiers left, functions and aggregations (followed by a parenthesis), keywords
 * ({@code and}, {@code bool}, {@code offset}...), and what only looks like one: the unit of a duration ({@code 5m}), the
 * exponent of a number ({@code 1e3}), a Grafana variable ({@code $vhost}).</li>
 * </ol>
 * What remains are metric names, exactly as written: {@code x_bucket} is the series Prometheus stores under that name,
 * so it is compared as it is with what a scrape exposes.
 */
final class PromQl {

    private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
    private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
    private static final Pattern RANGE = Pattern.compile("\\[[^]]*]");
    private static final Pattern LABEL_LIST = Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    // Not after a word character (a number's exponent, a duration's unit), a dot or a $; possessive, so that "rate(" is
    // not read as "rat" followed by something other than a parenthesis.
    private static final Pattern IDENTIFIER = Pattern.compile("(?<![\\w.$])[a-zA-Z_:][\\w:]*+(?!\\s*\\()");
    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
            "group_right", "bool", "offset", "inf", "nan");

    private PromQl() {
    }

    /** The metric names the expression reads, sorted. */
    static Set<String> metricNames(String expression) {
        String rest = STRING.matcher(expression).replaceAll(" ");
        rest = MATCHERS.matcher(rest).replaceAll(" ");
        rest = RANGE.matcher(rest).replaceAll(" ");
        rest = LABEL_LIST.matcher(rest).replaceAll(" ");
        Set<String> names = new TreeSet<>();
        Matcher identifier = IDENTIFIER.matcher(rest);
        while (identifier.find()) {
            if (!KEYWORDS.contains(identifier.group().toLowerCase())) {
                names.add(identifier.group());
            }
        }
        return names;
    }
}
