package dev.qbridge.benchmarks;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * Repeats a workload and keeps the median, so that one run disturbed by the machine does not make the row; prints
 * each run as it ends (a long report shows it is alive) and, under the table, every row's runs.
 */
final class Runs {

    private final int count;
    private final PrintStream out;
    private final Map<String, List<Measurement>> all = new LinkedHashMap<>();

    Runs(int count, PrintStream out) {
        this.count = count;
        this.out = out;
    }

    /** Runs {@code workload} {@code count} times and returns the median run. */
    Measurement measure(String name, Supplier<Measurement> workload) {
        List<Measurement> runs = new ArrayList<>();
        for (int run = 1; run <= count; run++) {
            Measurement m = workload.get();
            out.println("  " + name + " run " + run + ": " + rates(List.of(m)) + " jobs/s");
            runs.add(m);
        }
        return median(name, runs);
    }

    /** The median rate of a tool's {@code count} runs, or empty when it reported none (not installed). */
    OptionalDouble medianRate(String name, Supplier<OptionalDouble> tool) {
        List<Measurement> runs = new ArrayList<>();
        for (int run = 0; run < count; run++) {
            OptionalDouble rate = tool.get();
            if (rate.isEmpty()) {
                return rate;
            }
            runs.add(new Measurement(Math.round(rate.getAsDouble()), 1_000_000_000L)); // jobs per one second
        }
        return OptionalDouble.of(median(name, runs).jobsPerSecond());
    }

    /** The median of runs measured elsewhere, remembered for {@link #printSpread()}. */
    Measurement median(String name, List<Measurement> runs) {
        all.put(name, List.copyOf(runs));
        return Measurement.median(runs);
    }

    void printSpread() {
        if (count <= 1) {
            return;
        }
        out.println();
        out.println("Each row is the median of " + count + " runs (jobs/s):");
        all.forEach((name, runs) -> out.println("- " + name + ": " + rates(runs)));
    }

    /** The runs' rates in jobs/s, comma separated, in the order they ran. */
    static String rates(List<Measurement> runs) {
        return String.join(", ", runs.stream().map(m -> ResultTable.count(Math.round(m.jobsPerSecond()))).toList());
    }
}
