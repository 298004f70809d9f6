package dev.qbridge.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The chaos run of issue 6: jobs travel Redis -> source connector -> Kafka -> sink connector -> Redis while the
 * two Connect workers are killed with SIGKILL at random, Redis is killed and restarted on its AOF and so is the
 * Kafka broker; bad inputs are mixed into the stream. At the end every job id must be in the out queue.
 *
 * <pre>
 *   Redis chaos-in (JSON jobs, malformed and oversized ones among them)
 *     -> worker "source": RedisQueueSourceConnector, value.type=json, errors.tolerance=all
 *     -> topic chaos.jobs (2 partitions; tombstones written into it directly)
 *     -> worker "sink": RedisQueueSinkConnector, exactly once, errors to the DLQ topic chaos.jobs.dlq
 *     -> Redis chaos-out
 * </pre>
 *
 * Exit code 0 when the run {@linkplain ChaosReport#passed() passed}, 1 when not, 2 on a usage error.
 */
public final class ChaosRun {

    static final String IN = "chaos-in";
    static final String OUT = "chaos-out";
    static final String TOPIC = "chaos.jobs";
    static final String DLQ = "chaos.jobs.dlq";
    static final String WRONG_TYPE_KEY = "chaos-in-hash";
    static final String PROBE = "chaos-probe";
    static final int PROBE_JOBS = 100;
    static final String SOURCE = "chaos-source";
    static final String WRONG_TYPE_CONNECTOR = "chaos-wrongtype";
    static final String SINK = "chaos-sink";
    /** A live queue read by the source beside chaos-in, whose id counter a stray SET broke before the run. */
    static final String COMPANION = "chaos-companion";
    static final String COMPANION_KEY = COMPANION + ":seq";
    static final int COMPANION_JOBS = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChaosOptions options;
    private final long startNanos = System.nanoTime();
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());

    ChaosRun(ChaosOptions options) {
        this.options = options;
    }

    public static void main(String[] args) {
        ChaosOptions options;
        try {
            options = ChaosOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        ChaosReport report;
        try {
            report = run(options);
        } catch (RuntimeException e) {
            System.err.println("the chaos run could not run: " + e);
            e.printStackTrace();
            System.exit(1);
            return;
        }
        System.out.println();
        System.out.println(report.toText());
        System.exit(report.passed() ? 0 : 1);
    }

    /** Runs the whole scenario and reports; throws only when the rig itself cannot be set up. */
    public static ChaosReport run(ChaosOptions options) {
        try {
            return new ChaosRun(options).execute();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ChaosReport execute() throws IOException {
        boolean ownDir = options.workDir() == null;
        Path work = ownDir ? Files.createTempDirectory("qbridge-chaos-") : Files.createDirectories(options.workDir());
        List<AutoCloseable> closeLast = new ArrayList<>();
        try {
            Path plugins = unzip(options.pluginArchive(), work.resolve("plugins"));
            RedisServer redis = RedisServer.startWithAof();
            closeLast.add(redis);
            log("redis-server " + redis.version() + " with appendfsync always on " + redis.uri());
            KafkaBroker kafka = KafkaBroker.start(work.resolve("kafka"));
            closeLast.add(kafka);
            log("Kafka broker (KRaft, own JVM) on " + kafka.bootstrapServers());
            kafka.createTopic(TOPIC, 2);

            JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
            closeLast.add(connection::close);
            RedisQueue in = new RedisQueue(connection, QueueConfig.builder(IN).build());
            RedisQueue out = new RedisQueue(connection, QueueConfig.builder(OUT).build());
            RedisQueue probe = new RedisQueue(connection, QueueConfig.builder(PROBE).build());
            redis.client().hset(WRONG_TYPE_KEY, "not", "a queue");
            RedisQueue companion = new RedisQueue(connection, QueueConfig.builder(COMPANION).build());
            companion.push(IntStream.range(0, COMPANION_JOBS).mapToObj(JobFeed::companionJob).toList());
            redis.client().set(COMPANION_KEY, "not-a-number");

            ConnectWorker source = new ConnectWorker("source", work.resolve("source"), plugins, kafka.bootstrapServers(),
                    Map.of(SOURCE, sourceConfig(redis.uri()), WRONG_TYPE_CONNECTOR, wrongTypeConfig(redis.uri())));
            ConnectWorker sink = new ConnectWorker("sink", work.resolve("sink"), plugins, kafka.bootstrapServers(),
                    Map.of(SINK, sinkConfig(redis.uri())));
            closeLast.add(0, source);
            closeLast.add(0, sink);
            source.start();
            sink.start();
            log("workers up: source (" + SOURCE + ", " + WRONG_TYPE_CONNECTOR + ") and sink (" + SINK + ")");

            JobFeed feed = new JobFeed(in, options);
            Thread feeder = new Thread(feed, "chaos-feed");
            feeder.setDaemon(true);
            long feedStart = System.nanoTime();
            feeder.start();

            KafkaProducer<byte[], byte[]> tombstones = tombstoneProducer(kafka.bootstrapServers());
            closeLast.add(0, () -> tombstones.close(Duration.ofSeconds(10)));
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            int[] done = new int[4]; // source kills, sink kills, redis restarts, kafka restarts
            for (Event e : timeline()) {
                sleepUntil(feedStart + TimeUnit.MILLISECONDS.toNanos(e.atMillis()));
                if (pastDeadline()) {
                    log("deadline reached: skipping the remaining events");
                    break;
                }
                switch (e.kind()) {
                    case TOMBSTONE -> sent.add(tombstones.send(new ProducerRecord<>(TOPIC, null, null)));
                    case KILL_SOURCE -> {
                        long t = System.nanoTime();
                        source.killAndRestart();
                        done[0]++;
                        event("kill -9 source worker, restarted in %.1f s (ready %,d, in flight %,d)", t, in);
                    }
                    case KILL_SINK -> {
                        long t = System.nanoTime();
                        sink.killAndRestart();
                        done[1]++;
                        event("kill -9 sink worker, restarted in %.1f s (ready %,d, in flight %,d)", t, in);
                    }
                    case REDIS -> {
                        long t = System.nanoTime();
                        redis.restart();
                        done[2]++;
                        event("kill -9 redis-server, restarted from its AOF in %.1f s (ready %,d, in flight %,d)", t, in);
                    }
                    case KAFKA -> {
                        long t = System.nanoTime();
                        kafka.restart();
                        done[3]++;
                        event("kill -9 Kafka broker, restarted on its log dir in %.1f s (ready %,d, in flight %,d)", t, in);
                    }
                }
            }
            while (!feed.isDone() && !pastDeadline()) {
                sleep(200);
            }
            if (feed.failure() != null) {
                log("the feed failed: " + feed.failure());
            }
            log(String.format("feed done (%,d inputs) and events done; waiting for every id downstream", feed.pushed()));
            long drainStart = System.nanoTime();

            Set<String> tombstoneOffsets = new HashSet<>();
            for (Future<RecordMetadata> f : sent) {
                try {
                    RecordMetadata m = f.get(Math.max(1, remainingMillis()), TimeUnit.MILLISECONDS);
                    tombstoneOffsets.add(m.partition() + "@" + m.offset());
                } catch (Exception ex) {
                    log("a tombstone could not be written: " + ex);
                }
            }

            Downstream downstream = new Downstream(connection, out, in, options.jobs());
            Map<String, Long> dlqReasons = new TreeMap<>();
            long inDlq = 0;
            long lastProgress = 0;
            while (true) {
                try {
                    downstream.refresh();
                    Map<String, Map<String, Long>> dead = downstream.sourceDeadLetters();
                    boolean badDone = sum(dead, "malformed JSON") == options.badJson() && sum(dead, "oversized") == options.oversized();
                    if (inDlq < tombstoneOffsets.size()) {
                        dlqReasons.clear();
                        inDlq = readDlq(kafka.bootstrapServers(), tombstoneOffsets, dlqReasons);
                    }
                    if (downstream.missing() == 0 && badDone && inDlq == tombstoneOffsets.size()
                            && in.counts().pending() == 0) {
                        break;
                    }
                } catch (RuntimeException ex) {
                    // Redis or Kafka briefly unavailable: look again
                }
                if (pastDeadline()) {
                    log("deadline reached with " + downstream.missing() + " ids not downstream");
                    break;
                }
                if (System.nanoTime() - lastProgress > TimeUnit.SECONDS.toNanos(10)) {
                    lastProgress = System.nanoTime();
                    log(String.format("%,d of %,d ids downstream; source queue %s", downstream.present(), options.jobs(),
                            safeCounts(in)));
                }
                sleep(1000);
            }
            double drain = (System.nanoTime() - drainStart) / 1e9;
            // the task keeps running (its other queue flows) and names the bad key in its log
            String logged = source.firstLogLine("WRONGTYPE key " + WRONG_TYPE_KEY);
            String wrongType = wrongTypeStatus(source.status(WRONG_TYPE_CONNECTOR))
                    + (logged.isEmpty() ? "; not in the worker log" : "; worker log: " + logged.strip());
            long probeLeft = probeFlow(probe);
            Companion companionResult = companionFlow(source, redis.client(), downstream);
            long sinkExpected = topicRecords(kafka.bootstrapServers()) - tombstoneOffsets.size();
            return new ChaosReport(options, feed.pushed(), feed.retriedBatches(), downstream.present(), downstream.missing(),
                    downstream.missingSample(10), downstream.records(), downstream.duplicates(), downstream.unexpected(),
                    downstream.outDead(), downstream.sourceDeadLetters(), tombstoneOffsets.size(), inDlq, dlqReasons,
                    wrongType, wrongType.contains("WRONGTYPE"), PROBE_JOBS, probeLeft, done[0], done[1], done[2], done[3],
                    companionResult, sinkExpected, List.copyOf(events), (System.nanoTime() - startNanos) / 1e9, drain);
        } finally {
            for (AutoCloseable c : closeLast) {
                try {
                    c.close();
                } catch (Exception e) {
                    log("cannot close " + c + ": " + e);
                }
            }
            if (ownDir) {
                deleteTree(work);
            }
        }
    }

    private Map<String, String> sourceConfig(String redisUri) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "dev.qbridge.kafka.RedisQueueSourceConnector");
        c.put("tasks.max", "1");
        c.put("redis.uri", redisUri);
        c.put("queues", IN + "," + COMPANION);
        c.put("topic", TOPIC);
        // the queue's format is JSON: the core dead-letters a payload that is not, with the parser's reason
        c.put("value.type", "json");
        c.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        c.put("value.converter.schemas.enable", "false");
        c.put("batch.size", "1000");
        c.put("max.in.flight", "20000");
        // short leases: a killed worker's jobs come back within seconds; renewal keeps a live worker's
        c.put("lease.timeout.ms", "6000");
        c.put("reaper.interval.ms", "1000");
        // every crash while a job is held costs an attempt: never dead-letter a good job for that here
        c.put("max.attempts", "1000");
        // oversized jobs never reach the producer: the task dead-letters them by max.job.bytes (1,000,000 by
        // default). This is the safety net for a record a converter or the producer refuses all the same: Connect
        // hands it back and the task dead-letters that job too, instead of the task failing
        c.put("errors.tolerance", "all");
        c.put("errors.log.enable", "true");
        return c;
    }

    /** A wrong-type key (a hash) beside a queue of probe jobs, in one task: does the other queue still flow? */
    private static Map<String, String> wrongTypeConfig(String redisUri) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "dev.qbridge.kafka.RedisQueueSourceConnector");
        c.put("tasks.max", "1");
        c.put("redis.uri", redisUri);
        c.put("queues", PROBE + "," + WRONG_TYPE_KEY);
        c.put("topic", "chaos.probe");
        c.put("lease.timeout.ms", "6000");
        c.put("reaper.interval.ms", "1000");
        return c;
    }

    private static Map<String, String> sinkConfig(String redisUri) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("connector.class", "dev.qbridge.kafka.RedisQueueSinkConnector");
        c.put("tasks.max", "1");
        c.put("topics", TOPIC);
        c.put("redis.uri", redisUri);
        c.put("queue", OUT);
        c.put("batch.size", "1000");
        c.put("errors.tolerance", "all");
        c.put("errors.deadletterqueue.topic.name", DLQ);
        c.put("errors.deadletterqueue.topic.replication.factor", "1");
        c.put("errors.deadletterqueue.context.headers.enable", "true");
        return c;
    }

    enum Kind { KILL_SOURCE, KILL_SINK, REDIS, KAFKA, TOMBSTONE }

    record Event(long atMillis, Kind kind) {
    }

    /**
     * The disruptions spread over the feed, one per slot at a random point of its middle, in seeded random
     * order; the kills split between the workers at random, each worker at least once when there are two or more.
     */
    List<Event> timeline() {
        Random random = new Random(options.seed() * 31 + 7);
        int sourceKills = options.kills() < 2 ? (options.kills() == 1 && random.nextBoolean() ? 1 : 0)
                : Math.max(1, Math.min(options.kills() - 1, (options.kills() + (random.nextBoolean() ? 1 : 0)) / 2));
        List<Kind> kinds = new ArrayList<>();
        kinds.addAll(Collections.nCopies(sourceKills, Kind.KILL_SOURCE));
        kinds.addAll(Collections.nCopies(options.kills() - sourceKills, Kind.KILL_SINK));
        kinds.addAll(Collections.nCopies(options.redisRestarts(), Kind.REDIS));
        kinds.addAll(Collections.nCopies(options.kafkaRestarts(), Kind.KAFKA));
        Collections.shuffle(kinds, random);
        long from = Math.min(8_000, options.feedSeconds() * 100L);
        long to = options.feedSeconds() * 850L;
        List<Event> timeline = new ArrayList<>();
        double slot = (to - from) / (double) Math.max(1, kinds.size());
        for (int i = 0; i < kinds.size(); i++) {
            timeline.add(new Event((long) (from + slot * i + slot * (0.2 + 0.6 * random.nextDouble())), kinds.get(i)));
        }
        for (int i = 0; i < options.tombstones(); i++) {
            timeline.add(new Event(from + (long) ((to - from) * random.nextDouble()), Kind.TOMBSTONE));
        }
        timeline.sort(Comparator.comparingLong(Event::atMillis));
        return timeline;
    }

    /**
     * What became of the companion queue: while its id counter held a string, the source must have taken none of its
     * jobs and named the key; once the key is fixed, every one of them must arrive downstream.
     */
    record Companion(long keptWhileBroken, long downstreamWhileBroken, String logLine, long arrivedAfterFix,
                     double secondsToArrive) {
        boolean passed() {
            return keptWhileBroken == COMPANION_JOBS && downstreamWhileBroken == 0 && !logLine.isEmpty()
                    && arrivedAfterFix == COMPANION_JOBS;
        }
    }

    private Companion companionFlow(ConnectWorker source, redis.clients.jedis.RedisClient redis, Downstream downstream) {
        long kept = redis.llen(COMPANION);
        downstream.refresh();
        long early = downstream.companionsPresent();
        String logged = source.firstLogLine(COMPANION_KEY).strip();
        redis.del(COMPANION_KEY); // fixed: the sidelined queue is read again at its next backoff (at most 1 min)
        long fixedAt = System.nanoTime();
        long deadline = fixedAt + TimeUnit.SECONDS.toNanos(120);
        while (downstream.companionsPresent() < COMPANION_JOBS && System.nanoTime() < deadline) {
            sleep(1000);
            try {
                downstream.refresh();
            } catch (RuntimeException e) {
                // look again
            }
        }
        log(String.format("companion queue: %,d jobs kept while %s was broken, %,d downstream %.1f s after the fix",
                kept, COMPANION_KEY, downstream.companionsPresent(), (System.nanoTime() - fixedAt) / 1e9));
        return new Companion(kept, early, logged, downstream.companionsPresent(), (System.nanoTime() - fixedAt) / 1e9);
    }

    /** Records in the jobs topic: the sink must have written each exactly once (tombstones go to its DLQ instead). */
    private static long topicRecords(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(TOPIC, Duration.ofSeconds(10)).stream()
                    .map(i -> new TopicPartition(TOPIC, i.partition())).toList();
            return consumer.endOffsets(partitions, Duration.ofSeconds(10)).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Pushes probe jobs to the queue that shares a task with the wrong-type key, now that the task met the key, and
     * counts how many leave Redis within 10 s: all of them if the task keeps serving its other queue.
     */
    private long probeFlow(RedisQueue probe) {
        probe.push(IntStream.range(0, PROBE_JOBS).mapToObj(i -> ("probe-" + i).getBytes(StandardCharsets.UTF_8)).toList());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe.counts().pending() > 0 && System.nanoTime() < deadline) {
            sleep(250);
        }
        return PROBE_JOBS - probe.counts().pending();
    }

    private static KafkaProducer<byte[], byte[]> tombstoneProducer(String bootstrap) {
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1"); // survives the broker's restart in order
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "600000");
        return new KafkaProducer<>(p);
    }

    /** How many of the tombstones the DLQ topic holds (by their original partition and offset), and why. */
    private static long readDlq(String bootstrap, Set<String> tombstones, Map<String, Long> reasons) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        Set<String> found = new HashSet<>();
        Map<String, String> reasonOf = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            var infos = consumer.partitionsFor(DLQ, Duration.ofSeconds(10));
            if (infos == null || infos.isEmpty()) {
                return 0;
            }
            List<TopicPartition> partitions = infos.stream().map(i -> new TopicPartition(DLQ, i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions, Duration.ofSeconds(10));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                    String key = header(r, "__connect.errors.partition") + "@" + header(r, "__connect.errors.offset");
                    if (tombstones.contains(key)) {
                        found.add(key);
                        reasonOf.put(key, header(r, "__connect.errors.exception.message")
                                .replaceAll("record chaos\\.jobs/\\d+@\\d+", "record chaos.jobs/P@O"));
                    }
                }
            }
        }
        reasonOf.values().forEach(reason -> reasons.merge(reason, 1L, Long::sum));
        return found.size();
    }

    private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? "" : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** The wrong-type connector's task state and the first line of its trace, from the worker's REST API. */
    private static String wrongTypeStatus(String statusJson) {
        try {
            JsonNode task = JSON.readTree(statusJson).path("tasks").path(0);
            String trace = task.path("trace").asText("");
            String first = trace.lines().findFirst().orElse("");
            return "task " + task.path("state").asText("unknown") + (first.isEmpty() ? "" : ": " + first);
        } catch (IOException | RuntimeException e) {
            return "no status (" + statusJson + ")";
        }
    }

    private void event(String format, long startedNanos, RedisQueue in) {
        double took = (System.nanoTime() - startedNanos) / 1e9;
        String counts = String.format(format, took, -1L, -1L);
        for (int attempt = 0; attempt < 3; attempt++) {
            try {
                var c = in.counts(); // the first call after a Redis restart may meet a dead pooled connection
                counts = String.format(format, took, c.ready(), c.inFlight());
                break;
            } catch (RuntimeException e) {
                sleep(100);
            }
        }
        String line = String.format("%6.1f s  %s", (startedNanos - startNanos) / 1e9, counts);
        events.add(line);
        log(counts);
    }

    private static String safeCounts(RedisQueue q) {
        try {
            return q.counts().toString();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getMessage() + ")";
        }
    }

    private static long sum(Map<String, Map<String, Long>> dead, String kind) {
        return dead.getOrDefault(kind, Map.of()).values().stream().mapToLong(Long::longValue).sum();
    }

    private boolean pastDeadline() {
        return remainingMillis() <= 0;
    }

    private long remainingMillis() {
        return options.maxDuration().toMillis() - (System.nanoTime() - startNanos) / 1_000_000;
    }

    private void log(String message) {
        System.out.printf("[%7.1f s] %s%n", (System.nanoTime() - startNanos) / 1e9, message);
    }

    private static void sleepUntil(long nanoTime) {
        long wait = (nanoTime - System.nanoTime()) / 1_000_000;
        if (wait > 0) {
            sleep(wait);
        }
    }

    private static void sleep(long millis) {
        ConnectWorker.sleep(millis);
    }

    /** Unzips the plugin archive into a fresh plugin.path directory. */
    static Path unzip(Path archive, Path pluginPath) throws IOException {
        if (!Files.isRegularFile(archive)) {
            throw new IllegalArgumentException("plugin archive " + archive.toAbsolutePath() + " is missing: build it with "
                    + "mvn -pl chaos -am package -DskipTests, or name it with --plugin-archive");
        }
        Files.createDirectories(pluginPath);
        try (ZipInputStream zip = new ZipInputStream(Files.newInputStream(archive))) {
            for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
                Path target = pluginPath.resolve(e.getName()).normalize();
                if (!target.startsWith(pluginPath)) {
                    throw new IOException("plugin archive entry " + e.getName() + " points outside " + pluginPath);
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip, target);
                }
            }
        }
        return pluginPath;
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: a temp dir
        }
    }
}
