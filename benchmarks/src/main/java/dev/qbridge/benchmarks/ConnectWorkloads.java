package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.connect.util.clusters.EmbeddedConnectCluster;
import redis.clients.jedis.UnifiedJedis;

/**
 * The Kafka Connect rows: one task of the source connector (Redis to Kafka) and one of the sink connector (Kafka
 * to Redis) in a real Connect cluster of Kafka's own test kit (one worker and one KRaft broker in this JVM), the
 * way a user deploys them. Its broker also serves the Camel rows. Every run checks its counts: the source must
 * leave the queue empty with every job in the topic, the sink must write each record exactly once.
 */
final class ConnectWorkloads implements AutoCloseable {

    private static final String CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";
    /** Jobs of the warm-up run before the first measured source and sink run (fewer when the runs are smaller). */
    static final int WARM_UP_JOBS = 200_000;

    private final EmbeddedConnectCluster cluster;
    private final HarnessRedis server;
    private final UnifiedJedis jedis;
    private final CpuMeter cpu;
    private int run;
    private boolean sourceWarm;
    private boolean sidekiqWarm;
    private boolean rqWarm;
    private boolean sinkWarm;

    private ConnectWorkloads(EmbeddedConnectCluster cluster, HarnessRedis server) {
        this.cluster = cluster;
        this.server = server;
        this.jedis = server.jedis();
        this.cpu = server.cpuMeter();
    }

    static ConnectWorkloads start(HarnessRedis server) {
        Properties broker = new Properties();
        broker.put("offsets.topic.replication.factor", "1");
        broker.put("offsets.topic.num.partitions", "1");
        broker.put("transaction.state.log.replication.factor", "1");
        broker.put("transaction.state.log.min.isr", "1");
        broker.put("group.initial.rebalance.delay.ms", "0");
        broker.put("auto.create.topics.enable", "false");
        Map<String, String> worker = new HashMap<>();
        worker.put("plugin.discovery", "service_load");
        worker.put("offset.flush.interval.ms", "1000");
        EmbeddedConnectCluster cluster = new EmbeddedConnectCluster.Builder()
                .name("qbridge-bench")
                .numWorkers(1)
                .numBrokers(1)
                .brokerProps(broker)
                .workerProps(worker)
                .build();
        PrintStream report = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream())); // the test kit prints its formatting there
        try {
            cluster.start();
        } finally {
            System.setOut(report);
        }
        return new ConnectWorkloads(cluster, server);
    }

    String bootstrapServers() {
        return cluster.kafka().bootstrapServers();
    }

    /**
     * The source settings every run uses, as docs/kafka-connect.md (Throughput) shows them: takes of 1,000 jobs and
     * a producer that batches.
     */
    static Map<String, String> sourceSettings() {
        Map<String, String> props = new HashMap<>();
        props.put("batch.size", "1000");
        props.put("max.in.flight", "50000");
        props.put("value.converter", CONVERTER);
        props.put("producer.override.linger.ms", "5");
        props.put("producer.override.batch.size", "524288");
        props.put("producer.override.compression.type", "lz4");
        return props;
    }

    /**
     * {@code jobs} preloaded into a reliable queue; timed from the first job the task takes until the queue, its
     * leases and retries are empty, that is until Kafka confirmed every record and the task acked its job.
     */
    Measurement source(int jobs) {
        if (!sourceWarm) {
            sourceWarm = true;
            warmUp("source", sourceRun(Math.min(jobs, WARM_UP_JOBS)));
        }
        return sourceRun(jobs);
    }

    /**
     * The first run in a fresh JVM compiles Connect's, the producer's and the task's code as it goes, and measured
     * 36k-92k jobs/s where the runs after it measured 100k-200k (2026-12-07): a connector runs for hours, so the
     * rows time the runs after one warm-up run, whose rate is printed but not counted.
     */
    private static void warmUp(String name, Measurement m) {
        System.out.println("  " + name + " warm-up (not counted): " + Runs.rates(List.of(m)) + " jobs/s");
    }

    /**
     * As {@link #source}, from a Sidekiq queue: each job read as Sidekiq's and sent as a CloudEvent keyed by its jid,
     * with the event's attributes as headers.
     */
    Measurement sidekiqSource(int jobs) {
        if (!sidekiqWarm) {
            sidekiqWarm = true;
            warmUp("sidekiq source", sourceRun(Math.min(jobs, WARM_UP_JOBS), true, true));
        }
        return sourceRun(jobs, true, true);
    }

    /**
     * The yardstick of {@link #sidekiqSource}: the same Sidekiq jobs read as raw bytes (queue {@code queue:<name>},
     * format raw), so that the ratio of the two is what reading them as Sidekiq's and sending CloudEvents costs.
     */
    Measurement sidekiqJobsRawSource(int jobs) {
        return sourceRun(jobs, true, false);
    }

    /**
     * As {@link #source}, from an RQ queue: each id taken with its hash (as RQ 1.13's client writes them), read as
     * RQ's (the pickle through the whitelist) and sent as a CloudEvent keyed by RQ's id; the ack deletes the hash.
     */
    Measurement rqSource(int jobs) {
        if (!rqWarm) {
            rqWarm = true;
            warmUp("rq source", rqSourceRun(Math.min(jobs, WARM_UP_JOBS)));
        }
        return rqSourceRun(jobs);
    }

    private Measurement rqSourceRun(int jobs) {
        String name = "bench-source-" + (++run);
        RedisQueue queue = server.preloadedRq(name, jobs);
        Measurement m = sourceRun(name, queue, name, "rq", jobs);
        // the ack of a move deletes each job's hash with its lease: once no lease is left, no hash may be either
        long left = jedis.keys("rq:job:*").size();
        if (left > 0) {
            throw new IllegalStateException("the source acked every RQ job of " + name + " but left " + left + " hashes");
        }
        return m;
    }

    private Measurement sourceRun(int jobs) {
        return sourceRun(jobs, false, false);
    }

    private Measurement sourceRun(int jobs, boolean sidekiqJobs, boolean asSidekiq) {
        String name = "bench-source-" + (++run);
        RedisQueue queue = sidekiqJobs ? server.preloadedSidekiq(name, jobs) : server.preloaded(name, jobs);
        return sourceRun(name, queue, sidekiqJobs && !asSidekiq ? queue.name() : name, asSidekiq ? "sidekiq" : null, jobs);
    }

    /** Times the source connector draining {@code queue}, named {@code queues} in its config, into topic {@code name}. */
    private Measurement sourceRun(String name, RedisQueue queue, String queues, String format, int jobs) {
        createTopic(name);
        Map<String, String> props = sourceSettings();
        if (format != null) {
            props.put("queue.format", format);
        }
        props.put("connector.class", RedisQueueSourceConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("redis.uri", server.uri());
        props.put("queues", queues);
        props.put("topic", name);
        cluster.configureConnector(name, props);
        try {
            Await.until(() -> queue.counts().ready() < jobs, "the source connector took no job from " + name);
            cpu.start();
            long start = System.nanoTime();
            Await.until(() -> queue.counts().total() == 0, "the source connector did not drain " + name);
            Measurement m = cpu.stop(jobs, System.nanoTime() - start);
            long written = endOffset(name);
            if (written < jobs) {
                throw new IllegalStateException("the source acked " + jobs + " jobs but topic " + name + " holds " + written);
            }
            return m;
        } finally {
            cluster.deleteConnector(name);
        }
    }

    /**
     * {@code records} preloaded into a one-partition topic; timed from the first batch in Redis until the last job
     * (the jobs of that first batch are not counted, nor is the task's start). Exactly once: the queue must then
     * hold exactly {@code records} jobs.
     */
    Measurement sink(int records) {
        if (!sinkWarm) {
            sinkWarm = true;
            warmUp("sink", sinkRun(Math.min(records, WARM_UP_JOBS)));
        }
        return sinkRun(records);
    }

    private Measurement sinkRun(int records) {
        String name = "bench-sink-" + (++run);
        jedis.flushAll();
        createTopic(name);
        produce(name, records);
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", RedisQueueSinkConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("topics", name);
        props.put("redis.uri", server.uri());
        props.put("queue", name);
        props.put("key.converter", CONVERTER);
        props.put("value.converter", CONVERTER);
        // 5,000 for the documented runs; a small run still gets ten batches, so its clock has something to time
        props.put("consumer.override.max.poll.records", String.valueOf(Math.max(100, Math.min(5000, records / 10))));
        props.put("consumer.override.fetch.min.bytes", "65536");
        cluster.configureConnector(name, props);
        try {
            Await.until(() -> jedis.llen(name) > 0, "the sink connector wrote nothing to " + name);
            cpu.start();
            long start = System.nanoTime();
            long first = jedis.llen(name);
            Await.until(() -> jedis.llen(name) >= records, "the sink connector did not write every record to " + name);
            Measurement m = cpu.stop(records - first, System.nanoTime() - start);
            long written = jedis.llen(name);
            if (written != records) {
                throw new IllegalStateException("the sink wrote " + written + " jobs for " + records + " records");
            }
            return m;
        } finally {
            cluster.deleteConnector(name);
        }
    }

    /** A topic of one partition on the cluster's broker. */
    void createTopic(String topic) {
        cluster.kafka().createTopic(topic, 1);
    }

    /** The number of records in a one-partition topic. */
    long endOffset(String topic) {
        try {
            return cluster.kafka().endOffset(new TopicPartition(topic, 0));
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the end offset of " + topic + ": " + e, e);
        }
    }

    private void produce(String topic, int records) {
        Map<String, Object> props = new HashMap<>();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, "524288");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            for (int i = 0; i < records; i++) {
                producer.send(new ProducerRecord<>(topic, Payloads.payload(i, server.payloadBytes())));
            }
            producer.flush();
        }
        long written = endOffset(topic);
        if (written != records) {
            throw new IllegalStateException("topic " + topic + " holds " + written + " records, not " + records);
        }
    }

    @Override
    public void close() {
        cluster.stop();
    }
}
