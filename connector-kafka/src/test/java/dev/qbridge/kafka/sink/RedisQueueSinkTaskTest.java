package dev.qbridge.kafka.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.kafka.RedisQueueSinkTask;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.header.ConnectHeaders;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.resps.Tuple;

/** The sink task against a real Redis, with a fake worker around it. */
class RedisQueueSinkTaskTest {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.withAof();

    private static final TopicPartition P0 = new TopicPartition("orders", 0);
    private static final TopicPartition P1 = new TopicPartition("orders", 1);

    private final List<RedisQueueSinkTask> tasks = new ArrayList<>();

    @AfterEach
    void stopTasks() {
        tasks.forEach(RedisQueueSinkTask::stop);
    }

    private RedisQueueSinkTask start(FakeSinkContext context, String... keyValues) {
        Map<String, String> props = new HashMap<>();
        props.put("name", "orders-sink");
        props.put("redis.uri", redis.uri());
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put(keyValues[i], keyValues[i + 1]);
        }
        RedisQueueSinkTask task = new RedisQueueSinkTask();
        task.initialize(context);
        task.start(props);
        tasks.add(task);
        return task;
    }

    private static SinkRecord record(TopicPartition tp, long offset, String value) {
        return new SinkRecord(tp.topic(), tp.partition(), null, null, Schema.OPTIONAL_BYTES_SCHEMA,
                value == null ? null : value.getBytes(StandardCharsets.UTF_8), offset);
    }

    private static SinkRecord record(TopicPartition tp, long offset, String value, String header, Object headerValue) {
        ConnectHeaders headers = new ConnectHeaders();
        headers.add(header, headerValue, null);
        return new SinkRecord(tp.topic(), tp.partition(), null, null, Schema.OPTIONAL_BYTES_SCHEMA,
                value.getBytes(StandardCharsets.UTF_8), offset, null, null, headers);
    }

    private static List<SinkRecord> records(TopicPartition tp, long from, int count) {
        List<SinkRecord> out = new ArrayList<>();
        for (long o = from; o < from + count; o++) {
            out.add(record(tp, o, tp.partition() + "-" + o));
        }
        return out;
    }

    /** The reliable queue as its consumers see it: oldest first (they RPOP the tail). */
    private static List<String> queue(String name) {
        List<String> list = new ArrayList<>(redis.client().lrange(name, 0, -1));
        java.util.Collections.reverse(list);
        return list;
    }

    @Test
    void recordsArePushedInOrderAsTheClassicPatternsLpush() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false));
        task.open(List.of(P0));
        task.put(records(P0, 0, 3));
        assertThat(redis.client().rpop("orders")).isEqualTo("0-0");
        assertThat(queue("orders")).containsExactly("0-1", "0-2");
    }

    @Test
    void redeliveredBatchIsNeverWrittenTwice() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false));
        task.open(List.of(P0, P1));
        task.put(records(P0, 0, 5));
        task.put(records(P1, 0, 2));
        // a crash before Kafka committed: a new task gets the same records again, plus new ones
        RedisQueueSinkTask next = start(new FakeSinkContext(false));
        next.open(List.of(P0, P1));
        List<SinkRecord> again = new ArrayList<>(records(P0, 0, 7));
        again.addAll(records(P1, 0, 3));
        next.put(again);
        assertThat(queue("orders")).containsExactlyInAnyOrder("0-0", "0-1", "0-2", "0-3", "0-4", "1-0", "1-1",
                "0-5", "0-6", "1-2");
    }

    @Test
    void zombieTaskBehindTheStoredOffsetsWritesEachRecordOnlyOnce() {
        // a task that lost its partitions (a rebalance it did not notice yet) keeps writing from where it was, while
        // the new owner has moved on: only the script's own check of the stored offsets stands between them
        RedisQueueSinkTask zombie = start(new FakeSinkContext(false));
        zombie.open(List.of(P0));
        zombie.put(records(P0, 0, 3));
        RedisQueueSinkTask owner = start(new FakeSinkContext(false));
        owner.open(List.of(P0));
        owner.put(records(P0, 3, 5));
        zombie.put(records(P0, 3, 6)); // 3..8: the zombie knows only its own offset 3
        assertThat(queue("orders")).containsExactly("0-0", "0-1", "0-2", "0-3", "0-4", "0-5", "0-6", "0-7", "0-8");
        assertThat(redis.client().hget("orders:qbridge:sink-offsets:orders-sink", "orders/0")).isEqualTo("9");
    }

    @Test
    void openRewindsEachPartitionToTheOffsetStoredInRedis() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false));
        task.open(List.of(P0, P1));
        task.put(records(P0, 0, 5));
        task.put(records(P1, 10, 2));
        FakeSinkContext context = new FakeSinkContext(false);
        RedisQueueSinkTask next = start(context);
        next.open(List.of(P0, P1));
        assertThat(context.offsets).containsOnly(Map.entry(P0, 5L), Map.entry(P1, 12L));
        assertThat(redis.client().hgetAll("orders:qbridge:sink-offsets:orders-sink"))
                .containsOnly(Map.entry("orders/0", "5"), Map.entry("orders/1", "12"));
    }

    @Test
    void preCommitReportsOnlyOffsetsThatAreStoredInRedis() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false));
        task.open(List.of(P0, P1));
        task.put(records(P0, 0, 4));
        Map<TopicPartition, OffsetAndMetadata> current = Map.of(P0, new OffsetAndMetadata(4), P1, new OffsetAndMetadata(9));
        assertThat(task.preCommit(current)).containsOnly(Map.entry(P0, new OffsetAndMetadata(4)));
    }

    @Test
    void offsetsOfTwoConnectorsNeverOverwriteEachOther() {
        RedisQueueSinkTask first = start(new FakeSinkContext(false));
        first.open(List.of(P0));
        first.put(records(P0, 0, 3));
        RedisQueueSinkTask second = start(new FakeSinkContext(false), "name", "audit-sink");
        second.open(List.of(P0));
        second.put(records(P0, 0, 2));
        assertThat(redis.client().hget("orders:qbridge:sink-offsets:orders-sink", "orders/0")).isEqualTo("3");
        assertThat(redis.client().hget("orders:qbridge:sink-offsets:audit-sink", "orders/0")).isEqualTo("2");
        assertThat(queue("orders")).hasSize(5);
    }

    @Test
    void priorityComesFromTheHeaderThenTheJsonFieldThenTheDefault() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false), "queue", "jobs", "queue.kind", "priority",
                "priority.header", "prio", "priority.field", "p", "priority.default", "50");
        task.open(List.of(P0));
        task.put(List.of(
                record(P0, 0, "{\"p\":1,\"n\":\"header wins\"}", "prio", 7),
                record(P0, 1, "{\"p\":3,\"n\":\"field\"}"),
                record(P0, 2, "{\"n\":\"default\"}"),
                record(P0, 3, "not json at all", "prio", "-2")));
        List<Tuple> jobs = redis.client().zrangeWithScores("jobs", 0, -1);
        assertThat(jobs).extracting(Tuple::getElement).containsExactly("not json at all", "{\"p\":3,\"n\":\"field\"}",
                "{\"p\":1,\"n\":\"header wins\"}", "{\"n\":\"default\"}");
        assertThat(jobs).extracting(t -> (long) Math.floor(t.getScore())).containsExactly(-2L, 3L, 7L, 50L);
    }

    @Test
    void dueTimeComesFromTheHeaderOrTheFieldOrTheFixedDelay() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false), "queue", "later", "queue.kind", "delayed",
                "due.header", "due", "due.field", "at", "delay.ms", "60000", "due.time.unit", "milliseconds");
        task.open(List.of(P0));
        long before = System.currentTimeMillis();
        task.put(List.of(
                record(P0, 0, "a", "due", 2_000_000_000_000L),
                record(P0, 1, "{\"at\":\"2040-01-01T00:00:00Z\"}"),
                record(P0, 2, "c")));
        assertThat(redis.client().zscore("later", "a")).isEqualTo(2_000_000_000_000d);
        assertThat(redis.client().zscore("later", "{\"at\":\"2040-01-01T00:00:00Z\"}")).isEqualTo(2_208_988_800_000d);
        assertThat(redis.client().zscore("later", "c")).isBetween(before + 50_000d, before + 120_000d);
    }

    @Test
    void badRecordWithoutADeadLetterQueueFailsTheTaskWithAClearMessageAndWritesNothing() {
        RedisQueueSinkTask task = start(new FakeSinkContext(false), "queue.kind", "priority", "priority.field", "p");
        task.open(List.of(P0));
        assertThatThrownBy(() -> task.put(List.of(record(P0, 0, "{\"p\":1}"), record(P0, 1, "{\"q\":1}"))))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("orders/0@1")
                .hasMessageContaining("JSON field 'p' is missing")
                .hasMessageContaining("errors.deadletterqueue.topic.name");
        assertThat(redis.client().exists("orders")).isFalse();
    }

    @Test
    void badRecordsGoToTheErrantRecordReporterAndTheirOffsetsAdvance() {
        FakeSinkContext context = new FakeSinkContext(true);
        RedisQueueSinkTask task = start(context, "queue.kind", "priority", "priority.field", "p");
        task.open(List.of(P0));
        task.put(List.of(record(P0, 0, "{\"p\":1}"), record(P0, 1, "{\"p\":\"high\"}"), record(P0, 2, null),
                record(P0, 3, "{\"p\":2}")));
        assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(1L, 2L);
        assertThat(context.reportedErrors.get(0)).hasMessageContaining("is not an integer");
        assertThat(context.reportedErrors.get(1)).hasMessageContaining("tombstone");
        assertThat(redis.client().zrange("orders", 0, -1)).containsExactly("{\"p\":1}", "{\"p\":2}");
        assertThat(redis.client().hget("orders:qbridge:sink-offsets:orders-sink", "orders/0")).isEqualTo("4");
    }

    @Test
    void priorityOutsideTheRangeIsABadRecordEvenLongMinValue() {
        FakeSinkContext context = new FakeSinkContext(true);
        RedisQueueSinkTask task = start(context, "queue.kind", "priority", "priority.header", "prio");
        task.open(List.of(P0));
        task.put(List.of(record(P0, 0, "min", "prio", Long.MIN_VALUE), record(P0, 1, "max", "prio", Long.MAX_VALUE),
                record(P0, 2, "over", "prio", 2_000_001L), record(P0, 3, "edge", "prio", -2_000_000L)));
        assertThat(context.reported).extracting(SinkRecord::kafkaOffset).containsExactly(0L, 1L, 2L);
        assertThat(context.reportedErrors.get(0)).hasMessageContaining("-9223372036854775808 is outside");
        assertThat(redis.client().zrange("orders", 0, -1)).containsExactly("edge");
    }

    @Test
    void redisOutageIsRetriedWithBackoffAndNeverDropsARecord() {
        FakeSinkContext context = new FakeSinkContext(false);
        RedisQueueSinkTask task = start(context);
        task.open(List.of(P0));
        task.put(records(P0, 0, 2));
        redis.server().kill();
        List<SinkRecord> batch = records(P0, 2, 3);
        assertThatThrownBy(() -> task.put(batch)).isInstanceOf(RetriableException.class)
                .hasMessageContaining("Redis is unavailable");
        assertThat(context.timeout).isPositive();
        redis.server().restart();
        task.put(batch); // the worker hands the same batch again after the timeout
        assertThat(queue("orders")).containsExactly("0-0", "0-1", "0-2", "0-3", "0-4");
    }

    @ParameterizedTest(name = "{0} queue with {1} holding a {2}")
    @CsvSource({"reliable, orders, string", "reliable, orders:qbridge:sink-offsets:orders-sink, list",
            "priority, orders, list", "priority, orders:seq, hash", "priority, orders:seq, string that is no integer",
            "delayed, orders, hash"})
    void keyOfTheWrongTypeFailsTheTaskByNameWritesNothingAndLosesNothing(String kind, String key, String type) {
        switch (type) {
            case "string" -> redis.client().set(key, "not a queue");
            case "list" -> redis.client().rpush(key, "item");
            case "hash" -> redis.client().hset(key, "field", "value");
            default -> redis.client().set(key, "not-a-number");
        }
        String[] props = {"queue.kind", kind, "priority.default", "1", "delay.ms", "0"};
        RedisQueueSinkTask task = start(new FakeSinkContext(false), kind.equals("reliable") ? new String[0] : props);
        task.open(List.of(P0));
        List<String> keys = List.of("orders", "orders:seq", "orders:qbridge:sink-offsets:orders-sink");
        List<String> before = keys.stream().map(RedisQueueSinkTaskTest::dump).toList();
        assertThatThrownBy(() -> task.put(records(P0, 0, 3)))
                .isInstanceOf(ConnectException.class).isNotInstanceOf(RetriableException.class)
                .hasMessageContaining("WRONGTYPE key " + key + " holds a")
                .hasMessageContaining("nothing was written")
                .hasMessageContaining("stay in Kafka");
        task.stop();
        tasks.remove(task);
        assertThat(keys.stream().map(RedisQueueSinkTaskTest::dump).toList()).as("nothing was written").isEqualTo(before);

        // the operator fixes the key and restarts the task: Kafka hands the same records again, each is written once
        redis.client().del(key);
        RedisQueueSinkTask restarted = start(new FakeSinkContext(false), kind.equals("reliable") ? new String[0] : props);
        restarted.open(List.of(P0));
        restarted.put(records(P0, 0, 3));
        restarted.put(records(P0, 0, 3));
        List<String> written = kind.equals("reliable") ? queue("orders") : redis.client().zrange("orders", 0, -1);
        assertThat(written).containsExactlyInAnyOrder("0-0", "0-1", "0-2");
    }

    private static String dump(String key) {
        byte[] value = redis.client().dump(key.getBytes(StandardCharsets.UTF_8));
        return value == null ? null : java.util.HexFormat.of().formatHex(value);
    }
}
