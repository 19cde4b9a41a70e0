package dev.flashsale.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PromQlTests {

    @Test
    void aSelectorIsItsName() {
        assertThat(PromQl.metricNames("up")).containsExactly("up");
        assertThat(PromQl.metricNames("flashsale_worker_processed_total{queue=\"email.order-placed\"}"))
                .containsExactly("flashsale_worker_processed_total");
    }

    @Test
    void functionsAggregationsAndTheirLabelListsAreNotNames() {
        assertThat(PromQl.metricNames(
                "histogram_quantile(0.99, sum by (checkout, le) (rate(flashsale_checkout_latency_seconds_bucket[$__rate_interval])))"))
                .containsExactly("flashsale_checkout_latency_seconds_bucket");
        assertThat(PromQl.metricNames("sum(rate(a_total[5m])) without (instance, job) / on (queue) group_left (vhost) b"))
                .containsExactly("a_total", "b");
        assertThat(PromQl.metricNames("a * ignoring(le) group_right b")).containsExactly("a", "b");
        assertThat(PromQl.metricNames("rate (a[1m])")).as("a space before the parenthesis").containsExactly("a");
    }

    @Test
    void stringsMatchersRangesAndDurationsHideNothingThatLooksLikeAName() {
        assertThat(PromQl.metricNames("""
                deriv(a{queue=~"(email|inventory)[.]order-placed", vhost="$vhost", x!~`by (z) {y}`}[5m:1m] offset 1h30m) > 0
                and b{name='it\\'s'} > bool 1e3 or c unless d == Inf"""))
                .containsExactly("a", "b", "c", "d");
        assertThat(PromQl.metricNames("label_replace(a, \"dst\", \"$1\", \"src\", \"(.*) and (.*)\")")).containsExactly("a");
        assertThat(PromQl.metricNames("a @ start() + 0x1F")).containsExactly("a");
    }

    @Test
    void aSuffixIsPartOfTheName() {
        assertThat(PromQl.metricNames("x_sum / x_count")).containsExactly("x_count", "x_sum");
    }
}
