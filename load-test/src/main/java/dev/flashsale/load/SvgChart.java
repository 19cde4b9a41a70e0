package dev.flashsale.load;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A line chart as inline SVG, so that the report is one file that needs nothing from the internet. */
final class SvgChart {

    private static final String[] COLOURS = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e" };
    private static final int WIDTH = 860;
    private static final int HEIGHT = 280;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final Map<String, List<double[]>> series = new LinkedHashMap<>();
    private final List<double[]> markers = new ArrayList<>();
    private final List<String> markerLabels = new ArrayList<>();

    SvgChart(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    SvgChart point(String name, double x, double y) {
        series.computeIfAbsent(name, key -> new ArrayList<>()).add(new double[] { x, y });
        return this;
    }

    /** A dashed vertical line, e.g. where the load ended. */
    SvgChart marker(double x, String label) {
        markers.add(new double[] { x });
        markerLabels.add(label);
        return this;
    }

    String render() {
        double maxX = 1;
        double maxY = 1;
        for (List<double[]> points : series.values()) {
            for (double[] point : points) {
                maxX = Math.max(maxX, point[0]);
                maxY = Math.max(maxY, point[1]);
            }
        }
        Scale scale = new Scale(maxX, niceCeiling(maxY));
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' font-family='sans-serif' font-size='11'>",
                WIDTH, HEIGHT));
        svg.append(String.format(Locale.ROOT, "<text x='%d' y='16' font-size='13' font-weight='bold'>%s</text>", LEFT, escape(title)));
        axes(svg, scale);
        markers(svg, scale);
        lines(svg, scale);
        return svg.append("</svg>").toString();
    }

    /** The largest values the plot shows, and where a point falls in it. */
    private record Scale(double maxX, double maxY) {

        static final double PLOT_WIDTH = WIDTH - LEFT - RIGHT;
        static final double PLOT_HEIGHT = HEIGHT - TOP - BOTTOM;

        double x(double value) {
            return LEFT + PLOT_WIDTH * value / maxX;
        }

        double y(double value) {
            return TOP + PLOT_HEIGHT - PLOT_HEIGHT * value / maxY;
        }
    }

    /** The frame, the grid with its values, and the axes' labels. */
    private void axes(StringBuilder svg, Scale scale) {
        double plotW = Scale.PLOT_WIDTH;
        double plotH = Scale.PLOT_HEIGHT;
        svg.append(String.format(Locale.ROOT, "<rect x='%d' y='%d' width='%.0f' height='%.0f' fill='none' stroke='#999'/>", LEFT, TOP, plotW, plotH));
        for (int i = 0; i <= 4; i++) {
            double value = scale.maxY() * i / 4;
            double y = TOP + plotH - plotH * i / 4;
            svg.append(String.format(Locale.ROOT, "<line x1='%d' y1='%.1f' x2='%.0f' y2='%.1f' stroke='#eee'/>", LEFT, y, LEFT + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x='%d' y='%.1f' text-anchor='end'>%s</text>", LEFT - 6, y + 4, label(value)));
        }
        for (int i = 0; i <= 5; i++) {
            double value = scale.maxX() * i / 5;
            double x = LEFT + plotW * i / 5;
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' text-anchor='middle'>%s</text>", x, TOP + (int) plotH + 16, label(value)));
        }
        svg.append(String.format(Locale.ROOT, "<text x='%.0f' y='%d' text-anchor='middle'>%s</text>", LEFT + plotW / 2, HEIGHT - 6, escape(xLabel)));
        svg.append(String.format(Locale.ROOT, "<text x='14' y='%.0f' text-anchor='middle' transform='rotate(-90 14 %.0f)'>%s</text>",
                TOP + plotH / 2, TOP + plotH / 2, escape(yLabel)));
    }

    private void markers(StringBuilder svg, Scale scale) {
        for (int i = 0; i < markers.size(); i++) {
            double x = scale.x(markers.get(i)[0]);
            svg.append(String.format(Locale.ROOT, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%.0f' stroke='#555' stroke-dasharray='4 3'/>",
                    x, TOP, x, TOP + Scale.PLOT_HEIGHT));
            svg.append(String.format(Locale.ROOT, "<text x='%.1f' y='%d' fill='#555'>%s</text>", x + 3, TOP + 12, escape(markerLabels.get(i))));
        }
    }

    /** Each series as a line in its colour, with its legend. */
    private void lines(StringBuilder svg, Scale scale) {
        double plotW = Scale.PLOT_WIDTH;
        int index = 0;
        for (Map.Entry<String, List<double[]>> line : series.entrySet()) {
            String colour = COLOURS[index % COLOURS.length];
            StringBuilder points = new StringBuilder();
            for (double[] point : line.getValue()) {
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", scale.x(point[0]), scale.y(point[1])));
            }
            svg.append(String.format(Locale.ROOT, "<polyline fill='none' stroke='%s' stroke-width='1.6' points='%s'/>", colour, points));
            if (line.getValue().size() <= 30) {
                // Few points (one per step): each is marked, so that a single one shows too.
                for (double[] point : line.getValue()) {
                    svg.append(String.format(Locale.ROOT, "<circle cx='%.1f' cy='%.1f' r='3' fill='%s'/>", scale.x(point[0]), scale.y(point[1]), colour));
                }
            }
            svg.append(String.format(Locale.ROOT, "<rect x='%.0f' y='%d' width='10' height='10' fill='%s'/><text x='%.0f' y='%d'>%s</text>",
                    LEFT + plotW - 230.0, TOP + 8 + 14 * index, colour, LEFT + plotW - 215.0, TOP + 17 + 14 * index, escape(line.getKey())));
            index++;
        }
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(value)));
        for (double step : new double[] { 1, 2, 2.5, 5, 10 }) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String label(double value) {
        return value >= 10 || value == 0 ? String.valueOf(Math.round(value)) : String.format(Locale.ROOT, "%.1f", value);
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;");
    }
}
