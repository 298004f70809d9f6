package dev.qbridge.kafka.it;

import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.kafka.RedisQueueSinkConnector;
import dev.qbridge.kafka.RedisQueueSourceConnector;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Measures records/s of one source task and one sink task in the embedded cluster; prints, asserts nothing.
 * Run: {@code mvn -B -o verify -pl connector-kafka -Dtest=None -Dsurefire.failIfNoSpecifiedTests=false
 * -Dit.test=ThroughputIT -Dqbridge.perf=true} (sizes: -Dqbridge.perf.jobs, -Dqbridge.perf.records).
 */
@EnabledIfSystemProperty(named = "qbridge.perf", matches = "true")
class ThroughputIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private static byte[] payload(int i) {
        byte[] p = new byte[100];
        Arrays.fill(p, (byte) 'x');
        byte[] n = ("job-" + i + ":").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(n, 0, p, 0, n.length);
        return p;
    }

    @Test
    void sourceTaskThroughput() {
        int jobs = Integer.getInteger("qbridge.perf.jobs", 500_000);
        ConnectCluster.get().kafka().createTopic("perf.source", 1);
        try (JedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue queue = new RedisQueue(connection, QueueConfig.builder("perf-source").build());
            List<byte[]> batch = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                batch.add(payload(i));
                if (batch.size() == 10_000) {
                    queue.push(batch);
                    batch.clear();
                }
            }
            queue.push(batch);
            Map<String, String> props = new HashMap<>();
            props.put("connector.class", RedisQueueSourceConnector.class.getName());
            props.put("tasks.max", "1");
            props.put("redis.uri", redis.uri());
            props.put("queues", "perf-source");
            props.put("topic", "perf.source");
            props.put("batch.size", "1000");
            props.put("max.in.flight", "50000");
            props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            props.put("producer.override.linger.ms", "5");
            props.put("producer.override.batch.size", "524288");
            props.put("producer.override.compression.type", "lz4");
            props.put("headers", System.getProperty("qbridge.perf.headers", String.join(",", dev.qbridge.kafka.config.SourceConfig.HEADERS_ALL)));
            ConnectCluster.get().configureConnector("perf-source", props);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> queue.counts().ready() < jobs);
            long start = System.nanoTime();
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> queue.counts().total() == 0);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("THROUGHPUT source: %,d jobs taken, sent to Kafka and acked in %.2f s = %,.0f jobs/s%n",
                    jobs, seconds, jobs / seconds);
        } finally {
            ConnectCluster.deleteQuietly("perf-source");
        }
    }

    @Test
    void sinkTaskThroughput() {
        int records = Integer.getInteger("qbridge.perf.records", 1_000_000);
        ConnectCluster.get().kafka().createTopic("perf.sink", 1);
        Map<String, Object> producerProps = ConnectCluster.producerProps("org.apache.kafka.common.serialization.ByteArraySerializer");
        producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "10");
        producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, "524288");
        List<ProducerRecord<byte[], byte[]>> batch = new ArrayList<>();
        for (int i = 0; i < records; i++) {
            batch.add(new ProducerRecord<>("perf.sink", payload(i)));
        }
        ConnectCluster.sendAll(producerProps, batch);
        Map<String, String> props = new HashMap<>();
        props.put("connector.class", RedisQueueSinkConnector.class.getName());
        props.put("tasks.max", "1");
        props.put("topics", "perf.sink");
        props.put("redis.uri", redis.uri());
        props.put("queue", "perf-sink");
        props.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        props.put("consumer.override.max.poll.records", "5000");
        props.put("consumer.override.fetch.min.bytes", "65536");
        try {
            ConnectCluster.get().configureConnector("perf-sink", props);
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> redis.client().llen("perf-sink") > 0);
            long start = System.nanoTime();
            long first = redis.client().llen("perf-sink");
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> redis.client().llen("perf-sink") == records);
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("THROUGHPUT sink: %,d records written exactly once (with offsets) in %.2f s = %,.0f records/s%n",
                    records - first, seconds, (records - first) / seconds);
        } finally {
            ConnectCluster.deleteQuietly("perf-sink");
        }
    }
}
