package dev.qbridge.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Writes the batch-size sweep as a CSV and as a small hand-written SVG line chart (log-scale batch axis,
 * log-scale jobs/s axis, since 16 KB payloads move ~50x fewer jobs than 64 B ones; one line per payload size, the
 * LPUSH ceiling as a dashed line when it fits). No plotting library: the chart is a
 * few dozen SVG elements that render the same in any browser and diff well in git.
 */
final class SweepChart {

    /** One point of the sweep. */
    record Point(int batch, int threads, int payloadBytes, Measurement measurement) {
    }

    /** One colour per payload size, in the order the sizes were measured. */
    private static final String[] COLOURS = {"#1f5fa8", "#d97706", "#2f8f46", "#8e44ad", "#555555"};

    private static final int WIDTH = 760;
    private static final int HEIGHT = 440;
    private static final int LEFT = 90;
    private static final int RIGHT = 40;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;

    private SweepChart() {
    }

    static String csv(List<Point> points) {
        StringBuilder out = new StringBuilder("payload_bytes,batch,threads,jobs,seconds,jobs_per_second\n");
        for (Point p : points) {
            out.append(p.payloadBytes).append(',').append(p.batch).append(',').append(p.threads).append(',').append(p.measurement.jobs()).append(',')
                    .append(String.format(Locale.ROOT, "%.4f", p.measurement.seconds())).append(',')
                    .append(Math.round(p.measurement.jobsPerSecond())).append('\n');
        }
        return out.toString();
    }

    static String svg(List<Point> points, OptionalDouble ceiling, String subtitle) {
        // the y axis spans the decades of the measured rates; a ceiling above them is named in the corner instead
        double maxRate = points.stream().mapToDouble(p -> p.measurement.jobsPerSecond()).max().orElse(1);
        double minRate = points.stream().mapToDouble(p -> p.measurement.jobsPerSecond()).filter(r -> r > 0).min().orElse(1);
        double logLo = Math.floor(Math.log10(Math.max(1, minRate)));
        double logHi = Math.max(logLo + 1, Math.ceil(Math.log10(Math.max(1, maxRate * 1.05))));
        boolean ceilingDrawn = ceiling.isPresent() && ceiling.getAsDouble() <= Math.pow(10, logHi);
        int minBatch = points.stream().mapToInt(Point::batch).min().orElse(1);
        int maxBatch = Math.max(minBatch * 10, points.stream().mapToInt(Point::batch).max().orElse(1000));
        double plotW = WIDTH - LEFT - RIGHT;
        double plotH = HEIGHT - TOP - BOTTOM;
        double logMin = Math.log10(minBatch);
        double logSpan = Math.log10(maxBatch) - logMin;

        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH).append("\" height=\"").append(HEIGHT)
                .append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
        s.append("  <rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append("  <text x=\"").append(WIDTH / 2).append("\" y=\"24\" text-anchor=\"middle\" font-size=\"16\">")
                .append("qbridge take+ack throughput vs batch size</text>\n");
        s.append("  <text x=\"").append(WIDTH / 2).append("\" y=\"42\" text-anchor=\"middle\" fill=\"#555\">")
                .append(escape(subtitle)).append("</text>\n");
        // y grid and labels at 1, 2 and 5 times each power of ten
        for (double decade = logLo; decade < logHi + 0.5; decade++) {
            for (int m : new int[] {1, 2, 5}) {
                double v = m * Math.pow(10, decade);
                if (Math.log10(v) > logHi + 1e-9) {
                    break;
                }
                double y = y(v, logLo, logHi, plotH);
                s.append(String.format(Locale.ROOT, "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\"/>%n",
                        LEFT, y, WIDTH - RIGHT, y, m == 1 ? "#ccc" : "#eee"));
                s.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
                        LEFT - 8, y + 4, shortRate(v)));
            }
        }
        // x ticks at the measured batch sizes (every payload size sweeps the same ones)
        for (int batch : points.stream().mapToInt(Point::batch).distinct().toArray()) {
            double x = LEFT + (Math.log10(batch) - logMin) / logSpan * plotW;
            s.append(String.format(Locale.ROOT, "  <line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#eee\"/>%n",
                    x, TOP, x, TOP + (int) plotH));
            s.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
                    x, TOP + (int) plotH + 18, batch));
        }
        s.append(String.format(Locale.ROOT, "  <rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#333\"/>%n",
                LEFT, TOP, plotW, plotH));
        s.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">jobs per take and per ack (log scale)</text>%n",
                LEFT + plotW / 2, HEIGHT - 22));
        s.append(String.format(Locale.ROOT, "  <text transform=\"translate(20 %.1f) rotate(-90)\" text-anchor=\"middle\">jobs/s (log scale)</text>%n",
                TOP + plotH / 2));
        if (ceiling.isPresent() && !ceilingDrawn) {
            s.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c33\">"
                    + "redis-benchmark LPUSH -P 50 (ceiling, off the chart): %s/s</text>%n",
                    WIDTH - RIGHT - 6, TOP + 16, shortRate(ceiling.getAsDouble())));
        }
        if (ceilingDrawn) {
            double y = y(ceiling.getAsDouble(), logLo, logHi, plotH);
            s.append(String.format(Locale.ROOT, "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c33\" stroke-dasharray=\"6 4\"/>%n",
                    LEFT, y, WIDTH - RIGHT, y));
            s.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#c33\">redis-benchmark LPUSH -P 50: %s/s</text>%n",
                    WIDTH - RIGHT - 6, y - 6, shortRate(ceiling.getAsDouble())));
        }
        int[] sizes = points.stream().mapToInt(Point::payloadBytes).distinct().toArray();
        for (int i = 0; i < sizes.length; i++) {
            String colour = COLOURS[i % COLOURS.length];
            StringBuilder line = new StringBuilder();
            StringBuilder dots = new StringBuilder();
            for (Point p : points) {
                if (p.payloadBytes != sizes[i]) {
                    continue;
                }
                double x = LEFT + (Math.log10(p.batch) - logMin) / logSpan * plotW;
                double rate = p.measurement.jobsPerSecond();
                double y = y(rate, logLo, logHi, plotH);
                line.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                dots.append(String.format(Locale.ROOT, "  <circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>%n", x, y, colour));
                dots.append(String.format(Locale.ROOT, "  <text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" fill=\"%s\">%s</text>%n",
                        x, y - 10, colour, shortRate(rate)));
            }
            s.append("  <polyline fill=\"none\" stroke=\"").append(colour).append("\" stroke-width=\"2\" points=\"")
                    .append(line.toString().trim()).append("\"/>\n");
            s.append(dots);
            // the legend, top left inside the plot, one entry per payload size
            double ly = TOP + 16 + i * 18;
            s.append(String.format(Locale.ROOT, "  <line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    LEFT + 10, ly - 4, LEFT + 34, ly - 4, colour));
            s.append(String.format(Locale.ROOT, "  <text x=\"%d\" y=\"%.1f\" fill=\"%s\">%s payloads</text>%n",
                    LEFT + 40, ly, colour, escape(EndToEndHarness.size(sizes[i]))));
        }
        s.append("</svg>\n");
        return s.toString();
    }

    static void write(Path dir, List<Point> points, OptionalDouble ceiling, String subtitle, String baseName) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(baseName + ".csv"), csv(points), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(baseName + ".svg"), svg(points, ceiling, subtitle), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sweep chart into " + dir.toAbsolutePath(), e);
        }
    }

    /** The height of {@code rate} on a log axis from 10^logLo at the bottom to 10^logHi at the top. */
    private static double y(double rate, double logLo, double logHi, double plotH) {
        double log = Math.log10(Math.max(rate, Math.pow(10, logLo)));
        return TOP + plotH - (log - logLo) / (logHi - logLo) * plotH;
    }

    static String shortRate(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.0fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
