package dev.qbridge.kafka.it;

import static dev.qbridge.kafka.it.ConnectCluster.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.kafka.ConfigSamples;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A standalone worker (its own JVM, connectors from the plugin archive, configs from config-samples) is killed
 * with SIGKILL mid-flight and a new one started: the source loses no job, the sink writes no record twice.
 */
class WorkerCrashIT {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(WorkerCrashIT.class);

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final Duration TIMEOUT = Duration.ofSeconds(120);
    /** How long a topic's end must stay put before it counts as read: a later duplicate would show. */
    private static final Duration QUIET = Duration.ofSeconds(3);

    private static Path pluginPath;
    private static Path pluginDir;
    private Path dir;
    private final List<WorkerProcess> workers = new ArrayList<>();

    @BeforeAll
    static void unzipPlugin() throws Exception {
        ConnectCluster.get();
        pluginDir = Files.createTempDirectory("qbridge-plugin-");
        pluginPath = WorkerProcess.unzipPluginArchive(pluginDir);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> WorkerProcess.deleteTree(pluginDir)));
    }

    @BeforeEach
    void workDir() throws Exception {
        dir = Files.createTempDirectory("qbridge-worker-");
    }

    @AfterEach
    void stopWorkers() {
        workers.forEach(WorkerProcess::close);
        WorkerProcess.deleteTree(dir);
    }

    private WorkerProcess standalone(Map<String, String> connector) throws Exception {
        WorkerProcess worker = WorkerProcess.standalone(dir, pluginPath, ConnectCluster.bootstrapServers(), connector);
        workers.add(worker);
        return worker;
    }

    @Test
    void sourceDeliversEveryJobAtLeastOnceAcrossAWorkerKillAndOnlyHeldJobsTwice() throws Exception {
        int n = 20_000;
        ConnectCluster.get().kafka().createTopic("crash.jobs", 1);
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue queue = new RedisQueue(connection, QueueConfig.builder("crash-jobs").build());
            queue.push(IntStream.range(0, n).mapToObj(i -> ("job-" + i).getBytes(StandardCharsets.UTF_8)).toList());

            Map<String, String> config = new HashMap<>(ConfigSamples.load("redis-queue-source.properties"));
            config.putAll(Map.of("name", "crash-source", "tasks.max", "1", "redis.uri", redis.uri(),
                    "queues", "crash-jobs", "topic", "crash.jobs", "lease.timeout.ms", "3000",
                    "reaper.interval.ms", "500", "max.in.flight", "2000", "batch.size", "500"));
            WorkerProcess first = standalone(config);
            await().atMost(TIMEOUT).until(() -> queue.counts().ready() < n - 4000);
            first.kill9();

            // what the killed worker held at the kill: taken, maybe already in Kafka, never acked (payload -> job id)
            Map<String, String> heldAtKill = connection.zrangeWithScores(queue.keys().leases(), 0, -1).keySet().stream()
                    .map(lease -> new String(lease, StandardCharsets.UTF_8))
                    .collect(Collectors.toMap(WorkerCrashIT::payloadOfLease, WorkerCrashIT::idOfLease));
            assertThat(heldAtKill).as("the kill hit jobs in flight").isNotEmpty();
            assertThat(heldAtKill).as("max.in.flight bounds what a worker holds").hasSizeLessThanOrEqualTo(2000);

            WorkerProcess second = standalone(config);
            try {
                await().atMost(TIMEOUT).until(() -> queue.counts().total() == 0);
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                throw new AssertionError("jobs left: " + queue.counts() + ", status " + second.status("crash-source")
                        + ", worker log:\n" + second.tail(), e);
            }

            // every job acked means every record is in Kafka; read on until the topic settles, so a late copy shows
            List<ConsumerRecord<byte[], byte[]>> records = ConnectCluster.readSettled("crash.jobs", QUIET, TIMEOUT);
            Map<String, Long> copies = records.stream()
                    .collect(Collectors.groupingBy(r -> text(r.value()), Collectors.counting()));
            assertThat(copies.keySet()).as("every job reached Kafka")
                    .isEqualTo(IntStream.range(0, n).mapToObj(i -> "job-" + i).collect(Collectors.toSet()));
            Set<String> duplicates = copies.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                    .collect(Collectors.toSet());
            assertThat(heldAtKill.keySet()).as("only jobs in flight at the kill are duplicated").containsAll(duplicates);
            assertThat(copies.values()).as("one kill gives at most one extra copy").allMatch(c -> c <= 2);
            // a job keeps its id across deliveries (key.source=id): consumers dedupe on it
            Map<String, Set<String>> idsOf = records.stream().collect(Collectors.groupingBy(r -> text(r.value()),
                    Collectors.mapping(r -> text(r.key()), Collectors.toSet())));
            assertThat(idsOf.values()).as("one id per job").allMatch(ids -> ids.size() == 1);
            assertThat(idsOf.values().stream().map(ids -> ids.iterator().next()).distinct().count()).isEqualTo(n);
            duplicates.forEach(p -> assertThat(idsOf.get(p)).containsExactly(heldAtKill.get(p)));
            LOG.info("source kill -9: {} jobs, {} records in Kafka, {} held by the killed worker, {} of them duplicated",
                    n, records.size(), heldAtKill.size(), duplicates.size());
        }
    }

    private static String idOfLease(String member) {
        return member.substring(0, member.indexOf(':')); // "id:attempt:score:payload"
    }

    private static String payloadOfLease(String member) {
        int a = member.indexOf(':'); // "id:attempt:score:payload"
        int b = member.indexOf(':', a + 1);
        int c = member.indexOf(':', b + 1);
        return member.substring(c + 1);
    }

    @Test
    void sinkWritesEveryRecordExactlyOnceAcrossAWorkerKill() throws Exception {
        int n = 30_000;
        int partitions = 3;
        ConnectCluster.get().kafka().createTopic("crash.orders", partitions);
        List<ProducerRecord<String, String>> orders = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            orders.add(new ProducerRecord<>("crash.orders", i % partitions, null, "order-" + i));
        }
        ConnectCluster.sendAll(ConnectCluster.producerProps("org.apache.kafka.common.serialization.StringSerializer"), orders);
        Map<String, String> config = new HashMap<>(ConfigSamples.load("redis-queue-sink.properties"));
        config.putAll(Map.of("name", "crash-sink", "topics", "crash.orders", "redis.uri", redis.uri(),
                "queue", "crash-orders", "batch.size", "200", "errors.deadletterqueue.topic.name", "crash.orders.dlq"));
        String offsetsKey = "crash-orders:qbridge:sink-offsets:crash-sink";
        WorkerProcess first = standalone(config);
        await().atMost(TIMEOUT).until(() -> redis.client().llen("crash-orders") > 5_000);
        first.kill9();
        // the queue's length and the sum of the stored offsets, read in one atomic step (a script the killed worker
        // sent just before it died may still run in Redis)
        List<?> atKill = (List<?>) redis.client().eval("local sum = 0 for _, v in ipairs(redis.call('HVALS', KEYS[2])) "
                + "do sum = sum + tonumber(v) end return {redis.call('LLEN', KEYS[1]), sum}", List.of("crash-orders",
                offsetsKey), List.of());
        long writtenBeforeKill = (Long) atKill.get(0);
        long committedInKafka;
        try (var admin = ConnectCluster.get().kafka().createAdminClient()) {
            committedInKafka = admin.listConsumerGroupOffsets("connect-crash-sink").partitionsToOffsetAndMetadata().get()
                    .values().stream().filter(java.util.Objects::nonNull).mapToLong(o -> o.offset()).sum();
        }
        assertThat(writtenBeforeKill).as("the kill hit the sink mid-way").isBetween(1L, n - 1L);
        assertThat(atKill.get(1)).as("jobs and their offsets were written together, each record once")
                .isEqualTo(writtenBeforeKill);
        assertThat(committedInKafka).as("Kafka's consumer group never runs ahead of what Redis holds (preCommit)")
                .isLessThanOrEqualTo(writtenBeforeKill);

        WorkerProcess second = standalone(config);
        // once every partition's stored offset reached its end, every record went through the atomic write
        try {
            await().atMost(TIMEOUT).until(() -> redis.client().hgetAll(offsetsKey).values().stream()
                    .mapToLong(Long::parseLong).sum() == n);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("offsets " + redis.client().hgetAll(offsetsKey) + ", queue length "
                    + redis.client().llen("crash-orders") + ", status " + second.status("crash-sink") + ", worker log:\n"
                    + second.tail(), e);
        }
        // and nothing more arrives later: a record written twice would show as a longer queue
        await().during(QUIET).atMost(QUIET.multipliedBy(3)).until(() -> redis.client().llen("crash-orders") == n);
        List<String> queue = redis.client().lrange("crash-orders", 0, -1);
        assertThat(queue).as("each record written once").hasSize(n).doesNotHaveDuplicates();
        assertThat(new HashSet<>(queue)).isEqualTo(IntStream.range(0, n).mapToObj(i -> "order-" + i).collect(Collectors.toSet()));
        // and in order within each partition, across the kill (the queue's oldest job is at the tail)
        List<String> oldestFirst = new ArrayList<>(queue);
        java.util.Collections.reverse(oldestFirst);
        for (int p = 0; p < partitions; p++) {
            int partition = p;
            List<Integer> numbers = oldestFirst.stream().map(o -> Integer.parseInt(o.substring("order-".length())))
                    .filter(i -> i % partitions == partition).toList();
            assertThat(numbers).as("partition %s", p).isSorted();
        }
        LOG.info("sink kill -9: {} records, {} written to Redis before the kill while Kafka's consumer group had "
                + "committed {}; {} jobs in the queue afterwards", n, writtenBeforeKill, committedInKafka, queue.size());
    }
}
