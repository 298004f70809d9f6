package dev.qbridge.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The harness's command line. Every option has a default that reproduces docs/PERFORMANCE.md; the smoke test
 * shrinks the counts so a run takes seconds.
 *
 * @param jobs              jobs preloaded and moved through take+ack (and the sweep's largest run)
 * @param batch             jobs per take (and per ack)
 * @param threads           consumer threads of the one harness process
 * @param payloadSizes      payload sizes: take+ack (qbridge's and the bare design's) and the sweep run at each; every
 *                          other row uses the first
 * @param naiveJobs         jobs for the guide's BRPOPLPUSH + LREM consumer (it is ~50x slower)
 * @param benchmarkRequests {@code redis-benchmark -n}
 * @param reapJobs          expired leases handed to the reaper, and due jobs handed to the promoter
 * @param runs              take+ack runs per measurement; the median is reported
 * @param sweep             measure take+ack at batch sizes 1..1000 and write the chart instead of the table
 * @param outDir            where the sweep writes its SVG and CSV
 * @param redisBenchmark    {@code auto} (find it on the PATH), {@code none}, or a path to the binary
 * @param latencyRates      jobs/s the latency producer pushes, one latency row per rate
 * @param latencySeconds    seconds the latency run is recorded (after 1 s of warm-up)
 * @param heapBacklog       the large backlog of the heap workload (compared with min(10,000, backlog / 10))
 * @param bridgeJobs        jobs (or records) moved by the Kafka Connect source and sink, Camel to Kafka and migrate
 * @param fileJobs          jobs Camel writes to files (one fsync'd file each, so far slower than the rest)
 * @param only              the parts of the (non-sweep) report to run, of {@link #PARTS}
 */
record HarnessOptions(int jobs, int batch, int threads, List<Integer> payloadSizes, int naiveJobs, int benchmarkRequests,
                      int reapJobs, int runs, boolean sweep, Path outDir, String redisBenchmark, List<Integer> latencyRates,
                      int latencySeconds, int heapBacklog, int bridgeJobs, int fileJobs, Set<String> only) {

    /** core: ceiling, push, take+ack, naive, reaper, promoter; connect, camel, migrate: the bridges' rows. */
    static final Set<String> PARTS = Set.of("core", "connect", "camel", "migrate", "latency", "heap");

    /** 64 B as every earlier table, then the sizes of issue 12's byte budget: 1 KB and 16 KB. */
    static final List<Integer> DEFAULT_PAYLOAD_SIZES = List.of(64, 1024, 16384);
    /** Issue 6's rate, kept for comparison with earlier runs, and issue 12's. */
    static final List<Integer> DEFAULT_LATENCY_RATES = List.of(5_000, 50_000);

    static final String USAGE = """
            usage: java -cp benchmarks/target/benchmarks.jar dev.qbridge.benchmarks.EndToEndHarness [options]
              --jobs N                jobs moved through take+ack (default 1000000)
              --batch B               jobs per take and per ack, 1..1000 (default 500)
              --threads T             consumer threads (default 2)
              --payload-bytes P,Q     payload sizes: take+ack and the sweep run at each, every other row
                                      at the first (default 64,1024,16384)
              --naive-jobs N          jobs for the guide's BRPOPLPUSH+LREM consumer (default 50000)
              --benchmark-requests N  redis-benchmark -n (default 1000000)
              --reap-jobs N           expired leases for the reaper and due jobs for the promoter (default 1000000)
              --bridge-jobs N         jobs moved by the Kafka Connect source and sink, Camel to Kafka
                                      and qbridge migrate (default 1000000)
              --file-jobs N           jobs Camel writes to files, one fsync'd file each (default 20000)
              --runs R                runs of every throughput row, the median is reported (default 1)
              --sweep                 take+ack at batch 1,10,100,500,1000; writes throughput-vs-batch.svg/.csv
              --out DIR               where --sweep writes (default docs)
              --redis-benchmark X     auto (on the PATH), none, or the binary's path (default auto)
              --latency-rate N,M      jobs/s pushed by the fixed-rate latency producer, one row
                                      per rate (default 5000,50000)
              --latency-seconds S     seconds of latency recorded, after 1 s of warm-up (default 10)
              --heap-backlog N        preloaded backlog of the heap workload, compared with
                                      min(10000, N/10) (default 1000000)
              --only P,Q              parts to run, of core,connect,camel,migrate,latency,heap
                                      (default all; --sweep ignores it)
            """;

    static HarnessOptions defaults() {
        return new HarnessOptions(1_000_000, 500, 2, DEFAULT_PAYLOAD_SIZES, 50_000, 1_000_000, 1_000_000, 1, false, Path.of("docs"), "auto",
                DEFAULT_LATENCY_RATES, 10, 1_000_000, 1_000_000, 20_000, PARTS);
    }

    static HarnessOptions parse(String... args) {
        HarnessOptions d = defaults();
        int jobs = d.jobs;
        int batch = d.batch;
        int threads = d.threads;
        List<Integer> payloadSizes = d.payloadSizes;
        int naiveJobs = d.naiveJobs;
        int benchmarkRequests = d.benchmarkRequests;
        int reapJobs = d.reapJobs;
        int runs = d.runs;
        boolean sweep = d.sweep;
        Path outDir = d.outDir;
        String redisBenchmark = d.redisBenchmark;
        List<Integer> latencyRates = d.latencyRates;
        int latencySeconds = d.latencySeconds;
        int heapBacklog = d.heapBacklog;
        int bridgeJobs = d.bridgeJobs;
        int fileJobs = d.fileJobs;
        Set<String> only = d.only;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (name.equals("--sweep")) {
                sweep = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--jobs" -> jobs = range(name, value, 1, Integer.MAX_VALUE);
                case "--batch" -> batch = range(name, value, 1, 1000);
                case "--threads" -> threads = range(name, value, 1, 64);
                case "--payload-bytes" -> payloadSizes = sizes(name, value);
                case "--naive-jobs" -> naiveJobs = range(name, value, 1, Integer.MAX_VALUE);
                case "--benchmark-requests" -> benchmarkRequests = range(name, value, 1, Integer.MAX_VALUE);
                case "--reap-jobs" -> reapJobs = range(name, value, 1, Integer.MAX_VALUE);
                case "--runs" -> runs = range(name, value, 1, 25);
                case "--out" -> outDir = Path.of(value);
                case "--redis-benchmark" -> redisBenchmark = value;
                case "--latency-rate" -> latencyRates = list(name, value, 1, 1_000_000);
                case "--latency-seconds" -> latencySeconds = range(name, value, 1, 3600);
                case "--heap-backlog" -> heapBacklog = range(name, value, 10, 100_000_000);
                case "--bridge-jobs" -> bridgeJobs = range(name, value, 1, Integer.MAX_VALUE);
                case "--file-jobs" -> fileJobs = range(name, value, 1, Integer.MAX_VALUE);
                case "--only" -> only = parts(value);
                default -> throw new IllegalArgumentException("option " + name + " is unknown");
            }
        }
        return new HarnessOptions(jobs, batch, threads, payloadSizes, naiveJobs, benchmarkRequests, reapJobs, runs, sweep,
                outDir, redisBenchmark, latencyRates, latencySeconds, heapBacklog, bridgeJobs, fileJobs, only);
    }

    /** The size of the rows that run at one size only: the first of {@code --payload-bytes}. */
    int payloadBytes() {
        return payloadSizes.get(0);
    }

    private static List<Integer> sizes(String name, String value) {
        return list(name, value, 16, 1 << 20);
    }

    /** Distinct values of a comma-separated option, in the order given, each within [min, max]. */
    private static List<Integer> list(String name, String value, int min, int max) {
        List<Integer> values = new ArrayList<>();
        for (String v : value.split(",")) {
            int n = range(name, v.trim(), min, max);
            if (!values.contains(n)) {
                values.add(n);
            }
        }
        return List.copyOf(values);
    }

    boolean includes(String part) {
        return only.contains(part);
    }

    private static Set<String> parts(String value) {
        Set<String> parts = new LinkedHashSet<>();
        for (String part : value.toLowerCase(Locale.ROOT).split(",")) {
            String p = part.trim();
            if (!PARTS.contains(p)) {
                throw new IllegalArgumentException("option --only takes parts of core,connect,camel,migrate,latency,heap, was '" + part + "'");
            }
            parts.add(p);
        }
        return Set.copyOf(parts);
    }

    /** Where redis-benchmark is, or empty for {@code none} and for {@code auto} when it is not on the PATH. */
    Optional<Path> redisBenchmarkBinary() {
        return switch (redisBenchmark.toLowerCase(Locale.ROOT)) {
            case "none" -> Optional.empty();
            case "auto" -> onPath("redis-benchmark");
            default -> Optional.of(Path.of(redisBenchmark));
        };
    }

    private static Optional<Path> onPath(String binary) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, binary);
            if (java.nio.file.Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private static int range(String name, String value, int min, int max) {
        long parsed;
        try {
            parsed = Long.parseLong(value.replace("_", "").replace(",", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + name + " takes a whole number, was '" + value + "'");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("option " + name + " must be within " + min + ".." + max + ", was " + parsed);
        }
        return (int) parsed;
    }
}
