package dev.qbridge.camel.perf;

import dev.qbridge.camel.bridge.BridgeTemplates;
import dev.qbridge.camel.crash.RouteUnderKillMain;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.InJvmKafka;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.builder.TemplatedRouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.util.KeyValue;

/**
 * Throughput of redisq -> file and redisq -> Kafka beside the same routes fed by a naive BRPOP loop, and the jobs
 * each loses when its JVM is killed with SIGKILL. Not a test: run it by hand (see docs/PERFORMANCE.md, section Camel).
 * Args: [jobs, default 20000] [batchSize, default 500] [all | throughput | kill | jsonlines, default all];
 * jsonlines runs only the redisq-to-file bridge with fileFormat=jsonLines (one fsync per batch), for more jobs.
 */
public final class ThroughputMain {

    private static final int PAYLOAD_BYTES = 100;
    private static final int KILLS = 5;

    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        String what = args.length > 2 ? args[2] : "all"; // all, throughput or kill
        try (RedisServer redis = RedisServer.start();
             InJvmKafka kafka = InJvmKafka.start();
             JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue queue = new RedisQueue(connection, QueueConfig.builder("jobs").build());
            List<String> rows = new ArrayList<>();
            for (int run = 1; run <= 3 && what.equals("jsonlines"); run++) {
                rows.add(row("redisq -> jsonl", run, jobs, redisqToJsonLines(redis, queue, jobs, batch)));
            }
            for (int run = 1; run <= 3 && !what.equals("kill") && !what.equals("jsonlines"); run++) {
                rows.add(row("redisq -> file", run, jobs, redisqToFile(redis, queue, jobs, batch)));
                rows.add(row("redisq -> jsonl", run, jobs, redisqToJsonLines(redis, queue, jobs, batch)));
                rows.add(row("BRPOP  -> file", run, jobs, brpopToFile(redis, queue, jobs)));
                rows.add(row("redisq -> kafka", run, jobs, redisqToKafka(redis, kafka, queue, jobs, batch, run)));
                rows.add(row("BRPOP  -> kafka", run, jobs, brpopToKafka(redis, kafka, queue, jobs, run)));
            }
            if (what.equals("all") || what.equals("kill")) {
                rows.add("redisq killed mid-stream: lost " + lostOnKill(redis, queue, "redisq", 3000) + " of 3000 jobs over "
                        + KILLS + " kills");
                rows.add("BRPOP  killed mid-stream: lost " + lostOnKill(redis, queue, "brpop", 3000) + " of 3000 jobs over "
                        + KILLS + " kills");
            }
            System.out.println();
            rows.forEach(System.out::println);
        }
        System.exit(0);
    }

    private static String row(String what, int run, int jobs, double seconds) {
        System.out.printf(Locale.ROOT, "RESULT %-16s run %d: %.2f s%n", what, run, seconds);
        return String.format(Locale.ROOT, "%-16s run %d: %,d jobs in %.2f s = %,.0f jobs/s", what, run, jobs, seconds, jobs / seconds);
    }

    private static void preload(RedisServer redis, RedisQueue queue, int jobs) {
        redis.flushAll();
        List<byte[]> payloads = new ArrayList<>(jobs);
        for (int i = 0; i < jobs; i++) {
            payloads.add(String.format(Locale.ROOT, "%-" + PAYLOAD_BYTES + "s", "job-" + i).getBytes(StandardCharsets.UTF_8));
        }
        queue.push(payloads);
    }

    /** A context counting exchanges completed by routes whose id starts with "measured". */
    private static CamelContext context(AtomicLong completed) throws Exception {
        CamelContext context = new DefaultCamelContext();
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelEvent.ExchangeCompletedEvent done && done.getExchange().getFromRouteId() != null
                        && done.getExchange().getFromRouteId().startsWith("measured")) {
                    completed.incrementAndGet();
                }
            }
        });
        context.addRoutes(new BridgeTemplates());
        return context;
    }

    private static double redisqToFile(RedisServer redis, RedisQueue queue, int jobs, int batch) throws Exception {
        preload(redis, queue, jobs);
        Path dir = Files.createTempDirectory("qbridge-perf-file");
        AtomicLong completed = new AtomicLong();
        CamelContext context = context(completed);
        context.start();
        long start = System.nanoTime();
        TemplatedRouteBuilder.builder(context, BridgeTemplates.REDISQ_TO_FILE).routeId("measured")
                .parameter("source", "redisq:jobs?redisUri=" + redis.uri() + "&batchSize=" + batch)
                .parameter("directory", dir.toString()).add();
        while (queue.counts().total() > 0) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        context.stop();
        return seconds;
    }

    /** The redisq-to-file bridge with fileFormat=jsonLines: each batch appended as JSON lines, one fsync, then acked. */
    private static double redisqToJsonLines(RedisServer redis, RedisQueue queue, int jobs, int batch) throws Exception {
        preload(redis, queue, jobs);
        Path dir = Files.createTempDirectory("qbridge-perf-jsonl");
        AtomicLong completed = new AtomicLong();
        CamelContext context = context(completed);
        context.start();
        long start = System.nanoTime();
        TemplatedRouteBuilder.builder(context, BridgeTemplates.REDISQ_TO_FILE).routeId("measured-jsonl")
                .parameter("source", "redisq:jobs?redisUri=" + redis.uri() + "&batchSize=" + batch)
                .parameter("directory", dir.toString()).parameter("fileFormat", "jsonLines")
                .parameter("linesFileName", "jobs.jsonl").add();
        while (queue.counts().total() > 0) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        context.stop();
        Path file = dir.resolve("jobs.jsonl");
        long lines;
        try (var all = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            lines = all.count();
        }
        if (lines < jobs) { // more would be redeliveries written twice, which at-least-once allows
            throw new IllegalStateException("acked " + jobs + " jobs but " + file + " holds " + lines + " lines");
        }
        Files.delete(file);
        Files.delete(dir);
        return seconds;
    }

    private static double brpopToFile(RedisServer redis, RedisQueue queue, int jobs) throws Exception {
        preload(redis, queue, jobs);
        Path dir = Files.createTempDirectory("qbridge-perf-brpop-file");
        return naive(redis, jobs, "file:" + dir + "?fileName=${exchangeId}.job&tempPrefix=.part-&fileExist=Override");
    }

    private static double redisqToKafka(RedisServer redis, InJvmKafka kafka, RedisQueue queue, int jobs, int batch,
                                        int run) throws Exception {
        preload(redis, queue, jobs);
        String topic = "perf-redisq-" + run;
        createTopic(kafka, topic);
        AtomicLong completed = new AtomicLong();
        CamelContext context = context(completed);
        context.start();
        long start = System.nanoTime();
        TemplatedRouteBuilder.builder(context, BridgeTemplates.REDISQ_TO_KAFKA).routeId("measured")
                .parameter("source", "redisq:jobs?redisUri=" + redis.uri() + "&batchSize=" + batch)
                .parameter("topic", topic).parameter("brokers", kafka.bootstrapServers()).add();
        while (queue.counts().total() > 0) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        context.stop();
        return seconds;
    }

    private static double brpopToKafka(RedisServer redis, InJvmKafka kafka, RedisQueue queue, int jobs, int run)
            throws Exception {
        preload(redis, queue, jobs);
        String topic = "perf-brpop-" + run;
        createTopic(kafka, topic);
        return naive(redis, jobs, "kafka:" + topic + "?brokers=" + kafka.bootstrapServers()
                + "&requestRequiredAcks=all&enableIdempotence=true"
                + "&valueSerializer=org.apache.kafka.common.serialization.ByteArraySerializer");
    }

    private static void createTopic(InJvmKafka kafka, String topic) {
        kafka.createTopic(topic, 1);
    }

    /** The same sink fed by the naive consumer: BRPOP one job, send it, repeat. */
    private static double naive(RedisServer redis, int jobs, String sink) throws Exception {
        AtomicLong completed = new AtomicLong();
        CamelContext context = context(completed);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:naive").routeId("measured-naive").to(sink);
            }
        });
        context.start();
        ProducerTemplate template = context.createProducerTemplate();
        AtomicBoolean running = new AtomicBoolean(true);
        long start = System.nanoTime();
        Thread loop = new Thread(() -> {
            try (RedisClient client = RedisClient.create(redis.host(), redis.port())) {
                while (running.get()) {
                    KeyValue<byte[], byte[]> popped = client.brpop(0.2, "jobs".getBytes(StandardCharsets.UTF_8));
                    if (popped != null) {
                        template.sendBody("direct:naive", popped.getValue());
                    }
                }
            }
        });
        loop.start();
        while (completed.get() < jobs) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        loop.join();
        context.stop();
        return seconds;
    }

    /** Kills a child JVM running the route mid-stream KILLS times, then runs it to drain the queue, counts jobs never delivered. */
    private static long lostOnKill(RedisServer redis, RedisQueue queue, String mode, int jobs) throws Exception {
        redis.flushAll();
        List<byte[]> payloads = new ArrayList<>();
        for (int i = 0; i < jobs; i++) {
            payloads.add(("job-" + i).getBytes(StandardCharsets.UTF_8));
        }
        queue.push(payloads);
        String[] args = {redis.uri(), redis.host(), String.valueOf(redis.port()), mode, "2"};
        for (int kill = 1; kill <= KILLS; kill++) {
            try (JavaProcess route = JavaProcess.builder(RouteUnderKillMain.class).args(args).start()) {
                route.waitForOutputLine("started", Duration.ofSeconds(60));
                while (redis.client().llen("delivered") < (long) jobs * kill / (KILLS + 1)) {
                    Thread.sleep(2);
                }
                route.kill9();
            }
        }
        try (JavaProcess second = JavaProcess.builder(RouteUnderKillMain.class).args(args).start()) {
            second.waitForOutputLine("started", Duration.ofSeconds(60));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            // drained when nothing is left in Redis (redisq: ready, leased or retrying; BRPOP: the list)
            while (System.nanoTime() < deadline && (queue.counts().total() > 0 || redis.client().llen("jobs") > 0)) {
                Thread.sleep(20);
            }
            Thread.sleep(3000); // let the last jobs in hand reach the sink
        }
        List<String> delivered = redis.client().lrange("delivered", 0, -1);
        System.out.printf(Locale.ROOT, "RESULT %s kill: %d deliveries, %d distinct jobs%n", mode, delivered.size(),
                new HashSet<>(delivered).size());
        return jobs - new HashSet<>(delivered).size();
    }
}
