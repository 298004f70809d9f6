package dev.qbridge.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.qbridge.kafka.sink.FakeSinkContext;
import dev.qbridge.testkit.RedisClusterExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Both tasks on a real three-master Redis Cluster: a queue's keys and the sink's offsets share one slot. */
class RedisClusterTest {

    @RegisterExtension
    static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();

    private static String uri() {
        return "redis-cluster://" + cluster.nodes().stream().map(n -> n.getHost() + ":" + n.getPort())
                .collect(Collectors.joining(","));
    }

    private static List<SinkRecord> records(TopicPartition tp, long from, int count) {
        List<SinkRecord> out = new ArrayList<>();
        for (long o = from; o < from + count; o++) {
            out.add(new SinkRecord(tp.topic(), tp.partition(), null, null, Schema.BYTES_SCHEMA,
                    (tp.partition() + "-" + o).getBytes(StandardCharsets.UTF_8), o));
        }
        return out;
    }

    private static RedisQueueSinkTask sink(String queue) {
        RedisQueueSinkTask task = new RedisQueueSinkTask();
        task.initialize(new FakeSinkContext(false));
        task.start(Map.of("name", "cluster-sink", "redis.uri", uri(), "queue", queue));
        return task;
    }

    @Test
    void sinkWritesExactlyOnceIntoAHashTaggedQueueOnRedisCluster() {
        TopicPartition p0 = new TopicPartition("orders", 0);
        TopicPartition p1 = new TopicPartition("orders", 1);
        RedisQueueSinkTask task = sink("{${topic}}");
        try {
            task.open(List.of(p0, p1));
            task.put(records(p0, 0, 3));
            task.put(records(p1, 0, 2));
            List<SinkRecord> again = new ArrayList<>(records(p0, 0, 4));
            again.addAll(records(p1, 0, 2));
            task.put(again);
        } finally {
            task.stop();
        }
        assertThat(cluster.client().lrange("{orders}", 0, -1)).containsExactlyInAnyOrder("0-0", "0-1", "0-2", "0-3", "1-0", "1-1");
        assertThat(cluster.client().hgetAll("{orders}:qbridge:sink-offsets:cluster-sink"))
                .containsOnly(Map.entry("orders/0", "4"), Map.entry("orders/1", "2"));
    }

    @Test
    void sinkRefusesAQueueWithoutHashTagOnRedisClusterSayingHowToNameIt() {
        RedisQueueSinkTask task = sink("plain-orders");
        try {
            task.open(List.of());
            assertThatThrownBy(() -> task.put(records(new TopicPartition("orders", 0), 0, 1)))
                    .isInstanceOf(ConnectException.class).hasMessageContaining("hash tag");
        } finally {
            task.stop();
        }
    }

    @Test
    void sourceReadsAndAcksAHashTaggedQueueOnRedisCluster() throws InterruptedException {
        for (int i = 0; i < 20; i++) {
            cluster.client().lpush("{jobs}", "job-" + i);
        }
        RedisQueueSourceTask task = new RedisQueueSourceTask();
        task.start(Map.of("name", "cluster-source", "redis.uri", uri(), "queues", "{jobs}", "poll.wait.ms", "50"));
        try {
            List<SourceRecord> records = new ArrayList<>();
            for (int i = 0; i < 200 && records.size() < 20; i++) {
                List<SourceRecord> batch = task.poll();
                if (batch != null) {
                    records.addAll(batch);
                }
            }
            assertThat(records).hasSize(20);
            assertThat(records.get(0).topic()).isEqualTo("jobs");
            assertThat(cluster.client().zcard("{jobs}:leases")).isEqualTo(20);
            records.forEach(r -> task.commitRecord(r, new RecordMetadata(new TopicPartition("jobs", 0), 0, 0, 0, 0, 0)));
            // the acks are written by the task's Redis thread, within poll.wait.ms
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(cluster.client().zcard("{jobs}:leases")).isZero());
            assertThat(cluster.client().llen("{jobs}")).isZero();
        } finally {
            task.stop();
        }
    }
}
