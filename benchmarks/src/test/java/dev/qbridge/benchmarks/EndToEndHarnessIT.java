package dev.qbridge.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Smoke test of the harness with tiny numbers: it must run end to end on a fresh redis-server (and, for the
 * bridges, an in-JVM Kafka and Connect worker) and report every row; each workload checks its own counts. Never an assertion on speed: this machine is shared with builds, and a rate proves nothing here.
 */
class EndToEndHarnessIT {

    // the sink's clock starts at its first batch in Redis (up to 5,000 records): give it several batches to time
    private static final String[] TINY = {"--jobs", "2000", "--naive-jobs", "300", "--benchmark-requests", "2000",
            "--reap-jobs", "2000", "--batch", "100", "--latency-rate", "500", "--latency-seconds", "1",
            "--heap-backlog", "2000", "--bridge-jobs", "20000", "--file-jobs", "100"};

    private static final List<String> QUEUE_ROWS = List.of("push:", "take+ack: batch 100, 2 threads", "naive:", "reaper:",
            "promoter:");
    /** qbridge's rows that have a counterpart in the bare lease-zset design, each followed by it. */
    private static final List<String> COMPARED_ROWS = List.of("take+ack: batch 100, 2 threads, 64 B",
            "take+ack: batch 100, 2 threads, 1 KB", "take+ack: batch 100, 2 threads, 16 KB", "take+ack: batch 1, 2 threads, 64 B",
            "reaper:");
    private static final List<String> BRIDGE_ROWS = List.of("Kafka Connect source:", "Kafka Connect source: Sidekiq jobs to",
            "Kafka Connect source: RQ jobs to", "Kafka Connect sink:",
            "Camel redisq-to-file:", "Camel redisq-to-kafka:", "qbridge migrate:");
    private static final List<String> CEILING_ROWS = List.of("redis-benchmark LPUSH -P 50", "redis-benchmark LPOP",
            "redis-benchmark LPUSH -P 1 -c 1");

    @Test
    @Timeout(300)
    void printsEveryRowWithAPositiveRate() {
        String report = run(TINY);

        for (String row : BRIDGE_ROWS) {
            assertThat(rate(report, row)).as("jobs/s of row '%s' in%n%s", row, report).isPositive();
        }
        for (String row : QUEUE_ROWS) {
            assertThat(rate(report, row)).as("jobs/s of row '%s' in%n%s", row, report).isPositive();
        }
        bareRowsBesideEveryComparedRow(report);
        // redis-benchmark may be missing on a developer's machine: then its rows say n/a instead of failing
        boolean installed = HarnessOptions.defaults().redisBenchmarkBinary().isPresent();
        for (String row : CEILING_ROWS) {
            if (installed) {
                assertThat(rate(report, row)).as("jobs/s of row '%s' in%n%s", row, report).isPositive();
            } else {
                assertThat(cell(report, row, 3)).isEqualTo(ResultTable.NOT_AVAILABLE);
            }
        }
        // latency at a fixed rate: jobs, achieved rate, p50, p99, p99.9, max (never an assertion on their size)
        for (int column = 1; column <= 6; column++) {
            assertThat(number(report, "latency: 500 jobs/s for 1 s", column)).as("latency column %d in%n%s", column, report)
                    .isPositive();
        }
        assertThat(number(report, "latency:", 1)).isEqualTo(500);
        // heap with a backlog: the small backlog (2,000 / 10) and the large one, consumed jobs, used heap before/while
        for (String row : List.of("heap: backlog 200", "heap: backlog 2,000")) {
            for (int column : new int[] {1, 2, 4, 5}) {
                assertThat(number(report, row, column)).as("'%s' column %d in%n%s", row, column, report).isPositive();
            }
        }
    }

    @Test
    @Timeout(60)
    void withoutRedisBenchmarkTheCeilingRowsSayNotAvailable() {
        String report = run(concat(TINY, "--redis-benchmark", "none", "--only", "core"));

        for (String row : CEILING_ROWS) {
            assertThat(cell(report, row, 3)).as("row '%s' in%n%s", row, report).isEqualTo(ResultTable.NOT_AVAILABLE);
        }
        assertThat(cell(report, "take+ack:", 4)).as("ratio to an unknown ceiling").isEqualTo(ResultTable.NOT_AVAILABLE);
        assertThat(rate(report, "take+ack:")).isPositive();
        assertThat(report).doesNotContain("| latency:").doesNotContain("| heap:").doesNotContain("| Kafka Connect");
    }

    @Test
    @Timeout(120)
    void coreRowsRunAtEveryRequestedPayloadSizeBesideTheBareDesign() {
        String report = run(concat(TINY, "--redis-benchmark", "none", "--only", "core", "--payload-bytes", "100,2048"));

        for (String row : List.of("take+ack: batch 100, 2 threads, 100 B", "take+ack: batch 100, 2 threads, 2 KB",
                "bare take+ack: batch 100, 2 threads, 100 B", "bare take+ack: batch 100, 2 threads, 2 KB",
                "take+ack: batch 1, 2 threads, 100 B", "bare take+ack: batch 1, 2 threads, 100 B")) {
            assertThat(rate(report, row)).as("jobs/s of row '%s' in%n%s", row, report).isPositive();
        }
        assertThat(report).doesNotContain("64 B").doesNotContain("16 KB");
        assertThat(cell(report, "take+ack: batch 100, 2 threads, 2 KB", 1)).isEqualTo("2,000");
    }

    @Test
    @Timeout(120)
    void sweepWritesAChartAndACsvWithEveryBatchAndPayloadSize(@TempDir Path out) throws Exception {
        String report = run("--sweep", "--jobs", "1000", "--benchmark-requests", "2000", "--out", out.toString());

        List<Integer> sizes = HarnessOptions.DEFAULT_PAYLOAD_SIZES;
        for (int size : sizes) {
            for (int batch : EndToEndHarness.SWEEP_BATCHES) {
                String row = "take+ack: batch " + batch + ", 2 threads, " + EndToEndHarness.size(size);
                assertThat(rate(report, row)).as("row '%s' in%n%s", row, report).isPositive();
            }
        }
        List<String> csv = Files.readAllLines(out.resolve(EndToEndHarness.SWEEP_FILE + ".csv"));
        assertThat(csv).hasSize(1 + EndToEndHarness.SWEEP_BATCHES.length * sizes.size());
        assertThat(csv.get(0)).isEqualTo("payload_bytes,batch,threads,jobs,seconds,jobs_per_second");
        assertThat(csv.stream().skip(1).map(line -> Integer.parseInt(line.split(",")[0])).distinct().toList()).isEqualTo(sizes);
        String svg = Files.readString(out.resolve(EndToEndHarness.SWEEP_FILE + ".svg"));
        assertThat(svg).startsWith("<svg").endsWith("</svg>\n")
                .contains("64 B payloads", "1 KB payloads", "16 KB payloads");
        assertThat(svg.split("<polyline", -1)).as("one line per payload size").hasSize(1 + sizes.size());
    }

    /**
     * Every compared row of qbridge states its ratio to the bare row that follows it, and both have Redis's CPU per
     * job: the yardstick of issue 12 is in every run.
     */
    private static void bareRowsBesideEveryComparedRow(String report) {
        for (String row : COMPARED_ROWS) {
            assertThat(cell(report, row, 5)).as("'%s' against the bare design in%n%s", row, report).matches("[0-9]+\\.[0-9]{2}x bare");
            String bare = "bare " + row;
            assertThat(rate(report, bare)).as("jobs/s of row '%s' in%n%s", bare, report).isPositive();
            assertThat(number(report, bare, 7)).as("Redis CPU µs/job of '%s' in%n%s", bare, report).isPositive();
            assertThat(number(report, row, 7)).as("Redis CPU µs/job of '%s' in%n%s", row, report).isPositive();
            assertThat(cell(report, bare, 5)).isEqualTo(ResultTable.NO_BARE_ROW);
        }
    }

    private static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            EndToEndHarness.run(HarnessOptions.parse(args), out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** The jobs/s cell of the first table row whose name starts with {@code name}. */
    private static double rate(String report, String name) {
        String cell = cell(report, name, 3);
        assertThat(cell).as("jobs/s of '%s'", name).isNotEqualTo(ResultTable.NOT_AVAILABLE);
        return Double.parseDouble(cell.replace(",", ""));
    }

    private static double number(String report, String name, int column) {
        String cell = cell(report, name, column);
        assertThat(cell).as("cell %d of '%s'", column, name).isNotEqualTo(ResultTable.NOT_AVAILABLE);
        return Double.parseDouble(cell.replace(",", ""));
    }

    /** Cell {@code column} (0 = name) of the first table row whose name starts with {@code name}. */
    private static String cell(String report, String name, int column) {
        for (String line : report.split("\n")) {
            if (line.startsWith("| ")) {
                String row = line.endsWith(" |") ? line.substring(2, line.length() - 2) : line.substring(2);
                String[] cells = row.split(" \\| ");
                if (cells[0].toLowerCase(Locale.ROOT).startsWith(name.toLowerCase(Locale.ROOT))) {
                    return cells[column].trim();
                }
            }
        }
        throw new AssertionError("no row '" + name + "' in the report:\n" + report);
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
