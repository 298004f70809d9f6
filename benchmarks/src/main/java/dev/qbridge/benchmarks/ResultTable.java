package dev.qbridge.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The harness's report: one Markdown table row per workload with its rate and its ratio to the LPUSH ceiling,
 * and, for a row of qbridge's core that has one, its ratio to the same workload in the bare lease-zset design
 * ({@link BareLeaseDesign}), so that every run shows how far qbridge is from that yardstick. The output can be
 * pasted into docs/PERFORMANCE.md as it is. A value that could not be measured is "n/a"; a row without a bare
 * counterpart says "-".
 */
final class ResultTable {

    static final String NOT_AVAILABLE = "n/a";
    static final String NO_BARE_ROW = "-";

    private record Row(String name, String jobs, String seconds, OptionalDouble rate, String vsBare, String serverCores,
                       String serverMicros, String clientMicros) {
    }

    private final List<Row> rows = new ArrayList<>();
    private OptionalDouble ceiling = OptionalDouble.empty();

    /** The rate every other row is divided by (redis-benchmark LPUSH -P 50); also added as a row. */
    void ceiling(String name, long requests, OptionalDouble rate) {
        this.ceiling = rate;
        rate(name, requests, rate);
    }

    /** A row for a tool that reports only a rate. */
    void rate(String name, long requests, OptionalDouble rate) {
        rows.add(new Row(name, count(requests), rate.isPresent() ? seconds(requests / rate.getAsDouble()) : NOT_AVAILABLE,
                rate, NO_BARE_ROW, NOT_AVAILABLE, NOT_AVAILABLE, NOT_AVAILABLE));
    }

    /** A measured row; one that timed no job (all of them arrived before its clock could start) has no rate. */
    void add(String name, Measurement m) {
        add(name, m, NO_BARE_ROW);
    }

    /** A row of qbridge with its rate as a share of {@code bare}'s, the same workload in the bare design. */
    void add(String name, Measurement m, Measurement bare) {
        add(name, m, m.jobs() > 0 && bare.jobs() > 0 && bare.jobsPerSecond() > 0
                ? String.format(Locale.ROOT, "%.2fx bare", m.jobsPerSecond() / bare.jobsPerSecond()) : NOT_AVAILABLE);
    }

    private void add(String name, Measurement m, String vsBare) {
        OptionalDouble rate = m.jobs() > 0 ? OptionalDouble.of(m.jobsPerSecond()) : OptionalDouble.empty();
        rows.add(new Row(name, count(m.jobs()), seconds(m.seconds()), rate, vsBare,
                decimal(m.serverCores(), "%.0f%%", 100), decimal(m.serverMicrosPerJob(), "%.2f", 1),
                decimal(m.clientMicrosPerJob(), "%.2f", 1)));
    }

    OptionalDouble ceiling() {
        return ceiling;
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("| workload | jobs | seconds | jobs/s | vs LPUSH ceiling | vs bare | Redis CPU | Redis CPU µs/job | client CPU µs/job |\n");
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row r : rows) {
            String rate = r.rate.isPresent() ? count(Math.round(r.rate.getAsDouble())) : NOT_AVAILABLE;
            String ratio = r.rate.isPresent() && ceiling.isPresent()
                    ? String.format(Locale.ROOT, "%.2f", r.rate.getAsDouble() / ceiling.getAsDouble()) : NOT_AVAILABLE;
            out.append("| ").append(r.name).append(" | ").append(r.jobs).append(" | ").append(r.seconds).append(" | ")
                    .append(rate).append(" | ").append(ratio).append(" | ").append(r.vsBare).append(" | ").append(r.serverCores).append(" | ")
                    .append(r.serverMicros).append(" | ").append(r.clientMicros).append(" |\n");
        }
        return out.toString();
    }

    private static String decimal(double value, String format, double scale) {
        return value < 0 ? NOT_AVAILABLE : String.format(Locale.ROOT, format, value * scale);
    }

    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    static String seconds(double s) {
        return String.format(Locale.ROOT, "%.3f", s);
    }
}
