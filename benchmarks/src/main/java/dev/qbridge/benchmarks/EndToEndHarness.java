package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Everything qbridge moves, measured in one run on one machine and printed as one Markdown table, each rate with
 * its ratio to the server's own ceiling (redis-benchmark LPUSH -P 50 on the same freshly started redis-server):
 * the core (push, batch take+ack with T threads at each payload size and at batch 1, the guide's naive BRPOPLPUSH +
 * LREM consumer, the reaper and the promoter; take+ack and the reaper also in the bare lease-zset design of
 * {@link BareLeaseDesign}, each qbridge row with its ratio to that yardstick), the Kafka Connect source and sink connectors in an in-JVM Connect cluster ({@link ConnectWorkloads}),
 * the Camel bridges to files and to Kafka ({@link CamelWorkloads}) and {@code qbridge migrate} from one Redis to
 * another ({@link MigrateWorkload}); then enqueue-to-delivery latency at a fixed rate and the consumer's heap over
 * a small and a large backlog ({@link LatencyAndHeap}). {@code --only} picks parts; {@code --sweep} instead
 * measures take+ack at batch sizes 1..1000 at each payload size and writes docs/throughput-vs-batch.svg and .csv.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar dev.qbridge.benchmarks.EndToEndHarness --runs 3</pre>
 */
public final class EndToEndHarness {

    static final int[] SWEEP_BATCHES = {1, 10, 100, 500, 1000};
    static final String SWEEP_FILE = "throughput-vs-batch";
    /** Payload bytes one take+ack run moves at most (256 MiB): 1,000,000 jobs of 64 B, 262,144 of 1 KB, 16,384 of 16 KB. */
    static final long RUN_BYTES = 256L << 20;
    /** Jobs of a take+ack run at batch 1, where each job costs two round trips. */
    static final int SINGLE_JOBS = 20_000;
    /**
     * Jobs of the batch-1 pair of the core's rows (qbridge beside the bare design): a run of 20,000 lasted 1.5 s and
     * its ratio moved from 0.84x to 1.02x between quiet runs, as two client threads and Redis share two cores.
     */
    static final int SINGLE_PAIR_JOBS = 60_000;
    private static final Duration LEASE = Duration.ofMinutes(5); // never expires during a take+ack run

    private EndToEndHarness() {
    }

    public static void main(String[] args) {
        // the server's jar on the class path brings its own logback.xml; the harness's report wants quiet logs
        System.setProperty("logback.configurationFile", "qbridge-benchmarks-logback.xml");
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(HarnessOptions.USAGE);
            return;
        }
        HarnessOptions options;
        try {
            options = HarnessOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(HarnessOptions.USAGE);
            System.exit(2);
            return;
        }
        run(options, System.out);
    }

    /** Runs the harness and prints its report to {@code out}; the smoke test calls this directly. */
    static void run(HarnessOptions o, PrintStream out) {
        String loadBefore = loadAverage();
        try (RedisServer server = RedisServer.start()) {
            if (server.port() == 6379) {
                throw new IllegalStateException("refusing to benchmark against 127.0.0.1:6379, someone's real Redis");
            }
            String endpoint = "redis://127.0.0.1:" + server.port() + "?poolSize=" + (o.threads() + 4);
            try (JedisConnection redis = JedisConnection.open(RedisEndpoint.parse(endpoint))) {
                QueueWorkloads work = new QueueWorkloads(redis, server.client(), o.payloadBytes());
                Optional<RedisBenchmarkCeiling> tool = o.redisBenchmarkBinary().map(RedisBenchmarkCeiling::new);
                out.println("# qbridge end-to-end harness");
                out.println(machine(server, o, loadBefore));
                out.println();
                if (o.sweep()) {
                    sweep(o, server, tool, work, out);
                } else {
                    table(o, server, tool, work, redis, out);
                }
                out.println();
                out.println("load average after: " + loadAverage());
            }
        }
        out.flush();
    }

    /**
     * One throughput table (the ceiling, the core's rows, then each bridge as users run it, every rate against the
     * ceiling), then latency and heap. Those two run right after the core rows, before the bridges' broker, worker
     * and routes have loaded this JVM; their tables are printed last.
     */
    private static void table(HarnessOptions o, RedisServer server, Optional<RedisBenchmarkCeiling> tool,
                              QueueWorkloads work, JedisConnection redis, PrintStream out) {
        ResultTable table = new ResultTable();
        Runs runs = new Runs(o.runs(), out);
        boolean throughput = o.includes("core") || o.includes("connect") || o.includes("camel") || o.includes("migrate");
        if (throughput) {
            // redis-benchmark shares the 2 cores with the server: its rate moves as much as ours, so it gets runs too
            table.ceiling("redis-benchmark LPUSH -P " + RedisBenchmarkCeiling.PIPELINE + " (ceiling)", o.benchmarkRequests(),
                    runs.medianRate("ceiling LPUSH", () -> ceiling(tool, server, "lpush", o.benchmarkRequests())));
            table.rate("redis-benchmark LPOP -P " + RedisBenchmarkCeiling.PIPELINE, o.benchmarkRequests(),
                    runs.medianRate("LPOP", () -> ceiling(tool, server, "lpop", o.benchmarkRequests())));
        }
        if (o.includes("core")) {
            int roundTrips = Math.max(1, Math.min(o.benchmarkRequests(), o.naiveJobs() * 2));
            table.rate("redis-benchmark LPUSH -P 1 -c 1 (one round trip per command)", roundTrips,
                    ceiling(tool, server, "lpush", roundTrips, 1, 1));
            core(o, server, work, table, runs);
        }
        List<LatencyAndHeap.Latency> latencies = new ArrayList<>();
        if (o.includes("latency")) {
            for (int rate : o.latencyRates()) {
                latencies.add(LatencyAndHeap.latency(work, rate, o.latencySeconds(), o.payloadBytes()));
            }
        }
        List<LatencyAndHeap.Heap> heaps = new ArrayList<>();
        if (o.includes("heap")) {
            int small = Math.min(LatencyAndHeap.HEAP_SMALL_BACKLOG, Math.max(1, o.heapBacklog() / 10));
            for (int backlog : new int[] {small, o.heapBacklog()}) {
                heaps.add(LatencyAndHeap.heap(work, server.client(), backlog,
                        Math.min(LatencyAndHeap.HEAP_CONSUMED, backlog), o.payloadBytes()));
            }
        }
        bridges(o, server, redis, table, runs);
        if (throughput) {
            out.println();
            out.print(table.render());
            runs.printSpread();
        }
        if (!latencies.isEmpty() || !heaps.isEmpty()) {
            out.println();
            out.print(LatencyAndHeap.render(latencies, heaps, o.payloadBytes()));
        }
    }

    /**
     * The core's rows, each qbridge workload beside the same workload in the bare lease-zset design, alternated run
     * by run so that a disturbance of the shared machine hits both: take+ack at every payload size, take+ack at
     * batch 1 (where round trips, not Redis, are the limit), and the reaper.
     */
    private static void core(HarnessOptions o, RedisServer server, QueueWorkloads work, ResultTable table, Runs runs) {
        BareLeaseDesign bare = new BareLeaseDesign(server.client());
        List<Measurement> pushes = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Measurement[]> pairs = new ArrayList<>(); // {qbridge, bare} medians, in the order of names
        for (int size : o.payloadSizes()) {
            QueueWorkloads sized = work.withPayloadBytes(size);
            int jobs = jobsAt(o.jobs(), size);
            List<Measurement> takes = new ArrayList<>();
            List<Measurement> bareTakes = new ArrayList<>();
            for (int run = 0; run < o.runs(); run++) {
                RedisQueue queue = sized.freshQueue("bench:orders", LEASE);
                Measurement push = sized.push(queue, jobs);
                if (size == o.payloadBytes()) {
                    pushes.add(push);
                }
                takes.add(sized.takeAck(queue, jobs, o.batch(), o.threads()));
                bareTakes.add(bare.takeAck(jobs, o.batch(), o.threads(), size));
            }
            String label = "batch " + o.batch() + ", " + o.threads() + " threads, " + size(size);
            names.add(label);
            pairs.add(new Measurement[] {runs.median("take+ack " + size(size), takes),
                    runs.median("bare take+ack " + size(size), bareTakes)});
        }
        if (o.batch() != 1) {
            // one job per round trip: a few seconds a run, or it would take minutes
            int jobs = Math.min(o.jobs(), SINGLE_PAIR_JOBS);
            List<Measurement> takes = new ArrayList<>();
            List<Measurement> bareTakes = new ArrayList<>();
            for (int run = 0; run < o.runs(); run++) {
                RedisQueue queue = work.freshQueue("bench:orders", LEASE);
                work.push(queue, jobs);
                takes.add(work.takeAck(queue, jobs, 1, o.threads()));
                bareTakes.add(bare.takeAck(jobs, 1, o.threads(), o.payloadBytes()));
            }
            names.add("batch 1, " + o.threads() + " threads, " + size(o.payloadBytes()));
            pairs.add(new Measurement[] {runs.median("take+ack batch 1", takes), runs.median("bare take+ack batch 1", bareTakes)});
        }
        table.add("push: RedisQueue.push, one LPUSH per 1,000, 1 thread, " + size(o.payloadBytes()), runs.median("push", pushes));
        for (int i = 0; i < names.size(); i++) {
            table.add("take+ack: " + names.get(i), pairs.get(i)[0], pairs.get(i)[1]);
            table.add("bare take+ack: " + names.get(i), pairs.get(i)[1]);
        }
        table.add("naive: BRPOPLPUSH + LREM per job, 1 thread", work.naive("bench:naive", o.naiveJobs()));
        List<Measurement> reaps = new ArrayList<>();
        List<Measurement> bareReaps = new ArrayList<>();
        for (int run = 0; run < o.runs(); run++) {
            reaps.add(work.reap(o.reapJobs()));
            bareReaps.add(bare.reap(o.reapJobs(), o.payloadBytes()));
        }
        Measurement bareReap = runs.median("bare reaper", bareReaps);
        table.add("reaper: requeue of expired leases, 1,000 per call", runs.median("reaper", reaps), bareReap);
        table.add("bare reaper: ZRANGEBYSCORE + ZREM + RPUSH, 1,000 per call", bareReap);
        table.add("promoter: delayed jobs due, 1,000 per call", work.promote(o.reapJobs()));
    }

    /**
     * The jobs a take+ack run moves at {@code payloadBytes}: {@code requested}, but at most {@value #RUN_BYTES} bytes
     * of payload (at least 1,000 jobs), so that 16 KB jobs neither fill the memory nor take minutes to preload.
     */
    static int jobsAt(int requested, int payloadBytes) {
        return (int) Math.min(requested, Math.max(1000L, RUN_BYTES / payloadBytes));
    }

    /** 64 B, 1 KB, 16 KB: how the report names a payload size. */
    static String size(int bytes) {
        return bytes % 1024 == 0 ? bytes / 1024 + " KB" : bytes + " B";
    }

    /** The bridges' rows, each moving the same 64-byte jobs as the core's rows through what users deploy. */
    private static void bridges(HarnessOptions o, RedisServer server, JedisConnection redis, ResultTable table, Runs runs) {
        HarnessRedis target = new HarnessRedis(redis, server.client(), server.uri(), o.payloadBytes());
        if (o.includes("connect") || o.includes("camel")) {
            try (ConnectWorkloads connect = ConnectWorkloads.start(target)) {
                if (o.includes("connect")) {
                    table.add("Kafka Connect source: Redis to Kafka, 1 task, batch 1,000",
                            runs.measure("source", () -> connect.source(o.bridgeJobs())));
                    table.add("Kafka Connect source: Sidekiq jobs (164 B) read raw, 1 task, batch 1,000",
                            runs.measure("sidekiq jobs raw source", () -> connect.sidekiqJobsRawSource(o.bridgeJobs())));
                    table.add("Kafka Connect source: Sidekiq jobs to Kafka as CloudEvents, 1 task, batch 1,000",
                            runs.measure("sidekiq source", () -> connect.sidekiqSource(o.bridgeJobs())));
                    table.add("Kafka Connect source: RQ jobs to Kafka as CloudEvents, 1 task, batch 1,000",
                            runs.measure("rq source", () -> connect.rqSource(o.bridgeJobs())));
                    table.add("Kafka Connect sink: Kafka to Redis exactly once, 1 task",
                            runs.measure("sink", () -> connect.sink(o.bridgeJobs())));
                }
                if (o.includes("camel")) {
                    CamelWorkloads camel = new CamelWorkloads(target, o.batch());
                    table.add("Camel redisq-to-file: a file per job, fsync'd, batch " + o.batch(),
                            runs.measure("camel to file", () -> camel.toFile(o.fileJobs())));
                    table.add("Camel redisq-to-file jsonLines: a batch per fsync, batch " + o.batch(),
                            runs.measure("camel to jsonl", () -> camel.toJsonLines(o.bridgeJobs())));
                    table.add("Camel redisq-to-kafka: acks=all, idempotent, batch " + o.batch(),
                            runs.measure("camel to kafka", () -> camel.toKafka(o.bridgeJobs(), connect)));
                }
            }
        }
        if (o.includes("migrate")) {
            MigrateWorkload migrate = new MigrateWorkload(target, o.batch());
            table.add("qbridge migrate: Redis to another Redis, batch " + o.batch(),
                    runs.measure("migrate", () -> migrate.redisToRedis(o.bridgeJobs())));
        }
    }

    private static void sweep(HarnessOptions o, RedisServer server, Optional<RedisBenchmarkCeiling> tool,
                              QueueWorkloads work, PrintStream out) {
        ResultTable table = new ResultTable();
        OptionalDouble ceiling = ceiling(tool, server, "lpush", o.benchmarkRequests());
        table.ceiling("redis-benchmark LPUSH -P " + RedisBenchmarkCeiling.PIPELINE + " (ceiling)", o.benchmarkRequests(), ceiling);
        List<SweepChart.Point> points = new ArrayList<>();
        for (int size : o.payloadSizes()) {
            QueueWorkloads sized = work.withPayloadBytes(size);
            for (int batch : SWEEP_BATCHES) {
                // small batches are slow: give each batch size about the same wall time, at most --jobs jobs
                int jobs = jobsAt((int) Math.max(Math.min(SINGLE_JOBS, o.jobs()), Math.min((long) o.jobs(), batch * (long) SINGLE_JOBS)), size);
                List<Measurement> runs = new ArrayList<>();
                for (int run = 0; run < o.runs(); run++) {
                    RedisQueue queue = sized.freshQueue("bench:sweep", LEASE);
                    sized.push(queue, jobs);
                    runs.add(sized.takeAck(queue, jobs, batch, o.threads()));
                }
                Measurement median = Measurement.median(runs);
                points.add(new SweepChart.Point(batch, o.threads(), size, median));
                table.add("take+ack: batch " + batch + ", " + o.threads() + " threads, " + size(size), median);
                out.println("  batch " + batch + ", " + size(size) + ": " + Runs.rates(runs) + " jobs/s");
            }
        }
        out.println();
        out.print(table.render());
        String subtitle = String.format(Locale.ROOT, "%d client threads, redis-server %s, %d cores, median of %d",
                o.threads(), server.version(), Runtime.getRuntime().availableProcessors(), o.runs());
        SweepChart.write(o.outDir(), points, ceiling, subtitle, SWEEP_FILE);
        out.println();
        out.println("wrote " + o.outDir().resolve(SWEEP_FILE + ".svg") + " and " + o.outDir().resolve(SWEEP_FILE + ".csv"));
    }

    private static OptionalDouble ceiling(Optional<RedisBenchmarkCeiling> tool, RedisServer server, String test, int requests) {
        return ceiling(tool, server, test, requests, RedisBenchmarkCeiling.PIPELINE, RedisBenchmarkCeiling.CLIENTS);
    }

    private static OptionalDouble ceiling(Optional<RedisBenchmarkCeiling> tool, RedisServer server, String test, int requests,
                                          int pipeline, int clients) {
        if (tool.isEmpty()) {
            return OptionalDouble.empty();
        }
        OptionalDouble rate = tool.get().measure(server.port(), test, requests, pipeline, clients);
        server.client().flushAll(); // redis-benchmark's keys must not weigh on the queue workloads
        return rate;
    }

    private static String machine(RedisServer server, HarnessOptions o, String load) {
        return String.format(Locale.ROOT,
                "redis-server %s on 127.0.0.1:%d (fresh, persistence off); Java %s; %d cores; %s; "
                        + "payloads of %s (take+ack and the sweep run at each, every other row at the first); "
                        + "load average before: %s",
                server.version(), server.port(), System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(), cpuModel(),
                String.join(", ", o.payloadSizes().stream().map(EndToEndHarness::size).toList()), load);
    }

    private static String cpuModel() {
        return firstMatching(Path.of("/proc/cpuinfo"), "model name").map(l -> l.substring(l.indexOf(':') + 1).trim())
                .orElse(System.getProperty("os.arch"));
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg"), StandardCharsets.US_ASCII).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException | RuntimeException e) {
            return ResultTable.NOT_AVAILABLE;
        }
    }

    private static Optional<String> firstMatching(Path file, String prefix) {
        try (var lines = Files.lines(file, StandardCharsets.US_ASCII)) {
            return lines.filter(l -> l.startsWith(prefix)).findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
