package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.Secrets;
import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.QbridgeException;
import java.io.BufferedWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code qbridge demo}: a guide-style producer LPUSHes jobs into a reliable queue, a qbridge consumer takes them
 * under a lease and appends each to a file, acking only once the line is written; live counts are printed until
 * every job is in the file. Uses only keys under {@code qbridge-demo:<run>:} and deletes exactly those at the end.
 */
@Command(name = "demo",
        header = "Watch jobs flow from a producer through a reliable Redis queue to a file. Start here.",
        description = {"",
            "Uses the Redis at localhost:6379 if one answers; otherwise starts a private Redis for the demo on "
                    + "127.0.0.1 (a redis-server from the PATH, else the Redis 6.2 bundled for Linux) and stops it at "
                    + "the end. It touches only keys under qbridge-demo:<run>: and deletes them when it is done."},
        mixinStandardHelpOptions = true,
        usageHelpAutoWidth = true)
public final class DemoCommand implements Callable<Integer> {

    static final String PREFIX = "qbridge-demo:";

    @Spec
    CommandSpec spec;

    @Option(names = {"-r", "--redis"}, paramLabel = "<redis-uri>",
            description = "Use this Redis instead of localhost:6379 or a private one.")
    String redisUri;

    @Option(names = {"-n", "--jobs"}, paramLabel = "<n>", defaultValue = "2000",
            description = "How many jobs the producer pushes. Default: ${DEFAULT-VALUE}.")
    int jobs;

    @Option(names = {"-o", "--out"}, paramLabel = "<file>",
            description = "The file sink. Default: qbridge-demo-<run>.jsonl in the temp directory.")
    Path out;

    @Option(names = "--rate", paramLabel = "<jobs/s>", defaultValue = "1000",
            description = "How fast the producer pushes. Default: ${DEFAULT-VALUE}.")
    int rate;

    @Option(names = "--embedded", description = "Always start a private Redis for the demo (a redis-server from the PATH, "
            + "else the bundled one), even if localhost:6379 answers.")
    boolean forceEmbedded;

    @Override
    public Integer call() throws Exception {
        if (jobs < 1 || rate < 1) {
            throw new QbridgeException(2, "--jobs and --rate must be at least 1", null);
        }
        PrintWriter console = spec.commandLine().getOut();
        String run = UUID.randomUUID().toString().substring(0, 8);
        String queueName = PREFIX + run + ":jobs";
        Path sink = out != null ? out : Path.of(System.getProperty("java.io.tmpdir"), "qbridge-demo-" + run + ".jsonl");
        Files.deleteIfExists(sink);
        try (DemoRedis redisServer = DemoRedis.pick(redisUri, forceEmbedded, console);
             RedisConnection redis = JedisConnection.open(RedisEndpoint.parse(redisServer.uri()))) {
            console.println("Redis:  " + redisServer.description());
            console.println("Queue:  " + queueName + " (reliable: a job leaves it only when the file has it)");
            console.println("Sink:   " + sink);
            console.println();
            RedisQueue queue = new RedisQueue(redis, QueueConfig.builder(queueName).leaseTimeout(Duration.ofSeconds(10)).build());
            AtomicLong written = new AtomicLong();
            AtomicLong produced = new AtomicLong();
            try (BufferedWriter file = Files.newBufferedWriter(sink, StandardCharsets.UTF_8)) {
                Thread producer = new Thread(() -> produce(redis, queueName, produced), "qbridge-demo-producer");
                producer.setDaemon(true);
                QueueWorker worker = QueueWorker.start(queue, delivery -> {
                    synchronized (file) {
                        file.write(delivery.payloadAsString());
                        file.newLine();
                        file.flush(); // in the file before the ack that follows the batch
                    }
                    written.incrementAndGet();
                }, 2, 50);
                long started = System.nanoTime();
                producer.start();
                LiveLine live = new LiveLine(console, System.console() != null);
                try {
                    QueueCounts counts = queue.counts();
                    while (written.get() < jobs || counts.pending() > 0) {
                        counts = queue.counts();
                        live.show(String.format(Locale.ROOT,
                                "produced %,6d | ready %,5d | in flight %,4d | dead %d | written to file "
                                        + "%,6d | %,.0f jobs/s",
                                produced.get(), counts.ready(), counts.inFlight(), counts.dead(), written.get(),
                                written.get() / Math.max(0.001, (System.nanoTime() - started) / 1e9)));
                        if (counts.dead() > 0 || (System.nanoTime() - started) > Duration.ofMinutes(2).toNanos()) {
                            break;
                        }
                        Thread.sleep(200);
                    }
                    live.done();
                } finally {
                    producer.join(5000);
                    worker.stop(Duration.ofSeconds(10));
                }
                QueueCounts end = queue.counts();
                long lines;
                file.flush();
                try (var stream = Files.lines(sink)) {
                    lines = stream.count();
                }
                double seconds = (System.nanoTime() - started) / 1e9;
                console.println();
                console.printf(Locale.ROOT, "Done in %.1f s: %,d jobs produced, %,d lines in %s, %,d left in Redis, %,d dead.%n",
                        seconds, produced.get(), lines, sink, end.total() - end.dead(), end.dead());
                long deleted = cleanUp(redis, run);
                console.println("Removed the demo's " + deleted + " Redis keys (" + PREFIX + run + ":*).");
                console.println();
                console.println("Next: put a connector file in a directory and run 'qbridge server <dir>' (docs/server.md),");
                console.println("      or look at your queues with 'qbridge queues --redis <redis-uri> list' (docs/cli.md).");
                if (lines != jobs || produced.get() != jobs || end.total() != 0) {
                    spec.commandLine().getErr().printf(Locale.ROOT, "qbridge demo: expected %,d jobs produced, as many lines in "
                            + "the file and none left in Redis; found %,d produced, %,d lines, %,d left in Redis (%,d dead)%n",
                            jobs, produced.get(), lines, end.total(), end.dead());
                    return 1;
                }
                return 0;
            }
        } catch (QueueException e) {
            throw new QbridgeException("demo: " + e.getMessage(), e);
        }
    }

    /** The guide's producer: plain LPUSH of JSON jobs, paced to --rate. */
    private void produce(RedisConnection redis, String queueName, AtomicLong produced) {
        byte[] key = queueName.getBytes(StandardCharsets.UTF_8);
        int perTick = Math.max(1, rate / 20);
        long tickNanos = 50_000_000L;
        long next = System.nanoTime();
        int id = 0;
        while (id < jobs) {
            List<byte[]> batch = new ArrayList<>(perTick);
            for (int i = 0; i < perTick && id < jobs; i++) {
                id++;
                batch.add(("{\"job\":" + id + ",\"task\":\"send-email\",\"to\":\"user" + id + "@example.com\"}")
                        .getBytes(StandardCharsets.UTF_8));
            }
            redis.lpush(key, batch);
            produced.addAndGet(batch.size());
            next += tickNanos;
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                try {
                    Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Deletes the keys of this run only: every key is under the run's own prefix. */
    static long cleanUp(RedisConnection redis, String run) {
        long deleted = 0;
        for (String key : redis.scanKeys(PREFIX + run + ":*", 10_000)) {
            deleted += redis.del(List.of(key.getBytes(StandardCharsets.UTF_8)));
        }
        return deleted;
    }

    /** Prints counts in place on a terminal, as a line per second otherwise. */
    static final class LiveLine {
        private final PrintWriter out;
        private final boolean terminal;
        private long lastPrinted;

        LiveLine(PrintWriter out, boolean terminal) {
            this.out = out;
            this.terminal = terminal;
        }

        void show(String line) {
            if (terminal) {
                out.print("\r" + line + "   ");
                out.flush();
            } else if (System.nanoTime() - lastPrinted > 1_000_000_000L) {
                out.println(line);
                out.flush();
                lastPrinted = System.nanoTime();
            }
            last = line;
        }

        private String last = "";

        void done() {
            if (terminal) {
                out.println();
            } else {
                out.println(last);
            }
            out.flush();
        }
    }
}
