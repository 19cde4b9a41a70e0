package dev.flashsale.load;

import java.util.Collection;

import org.HdrHistogram.DoubleHistogram;

/**
 * The percentiles the report quotes of a set of measurements (the median, p90, p99, p99.9 and the maximum), read from
 * an HdrHistogram: three significant digits, so that each figure is within 0.1% of the measured value at its rank.
 *
 * @param count how many values
 * @param p50 the median
 */
record Percentiles(long count, double p50, double p90, double p99, double p999, double max) {

    static final Percentiles NONE = new Percentiles(0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN);

    private static final int SIGNIFICANT_DIGITS = 3;

    static Percentiles of(Collection<? extends Number> values) {
        if (values.isEmpty()) {
            return NONE;
        }
        // A DoubleHistogram: Hey's latencies have fractions of a millisecond, and the broker's rates are not whole either.
        DoubleHistogram histogram = new DoubleHistogram(SIGNIFICANT_DIGITS);
        // A histogram records no negative value; a delay below zero can only be two clocks a millisecond apart.
        values.forEach(value -> histogram.recordValue(Math.max(0, value.doubleValue())));
        return new Percentiles(histogram.getTotalCount(), histogram.getValueAtPercentile(50), histogram.getValueAtPercentile(90),
                histogram.getValueAtPercentile(99), histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    /** The median of a set of values, NaN for none. */
    static double median(Collection<? extends Number> values) {
        return of(values).p50();
    }

    @Override
    public String toString() {
        return count == 0 ? "no values" : "p50 %s, p90 %s, p99 %s, p99.9 %s, max %s".formatted(
                fmt(p50), fmt(p90), fmt(p99), fmt(p999), fmt(max));
    }

    static String fmt(double value) {
        return Double.isNaN(value) ? "-" : value >= 100 ? String.valueOf(Math.round(value)) : String.valueOf(Math.round(value * 10) / 10.0);
    }
}
