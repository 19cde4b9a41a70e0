package dev.flashsale.load;

import java.util.Arrays;
import java.util.Collection;

/**
 * Percentiles of a set of measurements (nearest rank on the sorted values), with the median, p90, p99, p99.9
 * and the maximum that the report quotes.
 *
 * @param count how many values
 * @param p50 the median
 */
record Percentiles(long count, double p50, double p90, double p99, double p999, double max) {

    static final Percentiles NONE = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    static Percentiles of(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        double[] sorted = values.stream().mapToDouble(Number::doubleValue).sorted().toArray();
        return new Percentiles(sorted.length, at(sorted, 50), at(sorted, 90), at(sorted, 99), at(sorted, 99.9),
                sorted[sorted.length - 1]);
    }

    /** The value at a percentile of sorted values: the smallest with at least that share of values at or below it. */
    static double at(double[] sorted, double percentile) {
        int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    @Override
    public String toString() {
        return count == 0 ? "no values" : "p50 %s, p90 %s, p99 %s, p99.9 %s, max %s".formatted(
                fmt(p50), fmt(p90), fmt(p99), fmt(p999), fmt(max));
    }

    static String fmt(double value) {
        return Double.isNaN(value) ? "-" : value >= 100 ? String.valueOf(Math.round(value)) : String.valueOf(Math.round(value * 10) / 10.0);
    }

    /** Just the sorted copy, for callers that need other percentiles. */
    static double[] sorted(Collection<? extends Number> values) {
        double[] sorted = values.stream().mapToDouble(Number::doubleValue).toArray();
        Arrays.sort(sorted);
        return sorted;
    }
}
