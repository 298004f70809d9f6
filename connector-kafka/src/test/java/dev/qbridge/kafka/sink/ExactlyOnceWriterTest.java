package dev.qbridge.kafka.sink;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.kafka.sink.ExactlyOnceWriter.Entry;
import dev.qbridge.testkit.RedisServerExtension;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * The sink's two scripts against a real Redis: every key they write or read, given another type, is refused by name
 * before anything changes (Redis never rolls a script back), and neither is bounded by Lua's {@code unpack} limit
 * (about 8,000 values) when one queue takes the records of many thousands of partitions.
 */
class ExactlyOnceWriterTest {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private static final String OFFSETS = "q:qbridge:sink-offsets:c";
    private static final TopicPartition P0 = new TopicPartition("t", 0);

    private JedisConnection connection;

    @BeforeEach
    void connect() {
        redis.flushAll();
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void close() {
        connection.close();
    }

    private ExactlyOnceWriter writer(QueueKind kind) {
        return new ExactlyOnceWriter(connection, "c", kind, DueTimeUnit.MILLISECONDS);
    }

    private static Entry job(TopicPartition tp, long offset, QueueKind kind, String payload) {
        String score = switch (kind) {
            case RELIABLE -> "";
            case PRIORITY -> "3";
            case DELAYED -> "at1000";
        };
        return Entry.job(tp, offset, score, payload.getBytes(UTF_8));
    }

    /** One write has gone through, so every key holds what it should before one of them is spoilt. */
    private void stage(QueueKind kind) {
        writer(kind).write("q", List.of(job(P0, 0, kind, "first")));
        if (kind != QueueKind.PRIORITY) {
            redis.client().set("q:seq", "41"); // a queue that has been read: the source's take counts ids here
        }
    }

    /** The keys write-batch writes for a queue kind, with the type each must have. */
    private static Map<String, String> writtenKeys(QueueKind kind) {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("q", kind == QueueKind.RELIABLE ? "list" : "zset");
        if (kind == QueueKind.PRIORITY) {
            keys.put("q:seq", "string"); // the FIFO fraction among equal priorities counts here
        }
        keys.put(OFFSETS, "hash");
        return keys;
    }

    private static Consumer<RedisClient> corrupt(String key, String expected) {
        return switch (expected) {
            case "zset", "string" -> c -> {
                c.del(key);
                c.hset(key, "field", "value");
            };
            case "list" -> c -> {
                c.del(key);
                c.set(key, "not-a-list");
            };
            case "hash" -> c -> {
                c.del(key);
                c.rpush(key, "item");
            };
            default -> throw new IllegalArgumentException(expected);
        };
    }

    @TestFactory
    Stream<DynamicTest> writeBatchRefusesEveryKeyOfTheWrongTypeBeforeWritingAnything() {
        List<DynamicTest> tests = new ArrayList<>();
        for (QueueKind kind : QueueKind.values()) {
            writtenKeys(kind).forEach((key, type) -> tests.add(DynamicTest.dynamicTest(kind + " queue: " + key
                    + " holding another type than a " + type, () -> refusedUnchanged(kind, key, corrupt(key, type)))));
            if (kind == QueueKind.PRIORITY) {
                tests.add(DynamicTest.dynamicTest(kind + " queue: q:seq holding a string that is no integer",
                        () -> refusedUnchanged(kind, "q:seq", c -> c.set("q:seq", "not-a-number"))));
            }
        }
        return tests.stream();
    }

    private void refusedUnchanged(QueueKind kind, String key, Consumer<RedisClient> corrupt) {
        redis.flushAll(); // dynamic tests share one @BeforeEach
        stage(kind);
        corrupt.accept(redis.client());
        List<String> keys = List.of("q", "q:seq", OFFSETS);
        Map<String, byte[]> before = dump(keys);
        TopicPartition p1 = new TopicPartition("t", 1);
        assertThatThrownBy(() -> writer(kind).write("q", List.of(job(P0, 1, kind, "second"), job(p1, 0, kind, "third"))))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.WRONG_TYPE);
                    assertThat(e.getMessage()).as("the error names the key").contains("WRONGTYPE key " + key + " holds a")
                            .contains("nothing was written");
                });
        Map<String, byte[]> after = dump(keys);
        for (String k : keys) {
            assertThat(after.get(k)).as("key %s is unchanged", k).isEqualTo(before.get(k));
        }
    }

    @Test
    void aJobSystemsQueueGetsEachJobInTheListItsScoreNamesAndIsRegisteredInTheSameStep() {
        SystemQueue sidekiq = SystemQueue.ready(JobFormat.SIDEKIQ, "default");
        SystemQueue celery = SystemQueue.ready(JobFormat.CELERY, "celery");
        ExactlyOnceWriter writer = writer(QueueKind.RELIABLE);

        writer.write(sidekiq, List.of(Entry.job(P0, 0, "", "a".getBytes(UTF_8)), Entry.job(P0, 1, "", "b".getBytes(UTF_8))));
        String step6 = celery.keyForPriority(6);
        writer.write(celery, List.of(Entry.job(P0, 0, "", "c".getBytes(UTF_8)),
                Entry.job(P0, 1, ExactlyOnceWriter.listScore(celery, step6), "d".getBytes(UTF_8))));

        assertThat(redis.client().lrange("queue:default", 0, -1)).containsExactly("b", "a");
        assertThat(redis.client().smembers("queues")).containsExactly("default");
        assertThat(redis.client().hget("queue:default:qbridge:sink-offsets:c", "t/0")).isEqualTo("2");
        assertThat(redis.client().lrange("celery", 0, -1)).containsExactly("c");
        assertThat(redis.client().lrange(step6, 0, -1)).containsExactly("d");
        assertThat(redis.client().exists("queues")).as("only Sidekiq lists its queues").isTrue();
        assertThat(redis.client().smembers("queues")).doesNotContain("celery");
    }

    @Test
    void aJobSystemsSetOfQueuesOfTheWrongTypeIsRefusedBeforeAnyJobIsWritten() {
        redis.client().set("queues", "not-a-set");
        SystemQueue sidekiq = SystemQueue.ready(JobFormat.SIDEKIQ, "default");

        assertThatThrownBy(() -> writer(QueueKind.RELIABLE).write(sidekiq, List.of(Entry.job(P0, 0, "", "a".getBytes(UTF_8)))))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).isEqualTo(QueueException.Kind.WRONG_TYPE);
                    assertThat(e.getMessage()).contains("WRONGTYPE key queues holds a string").contains("nothing was written");
                });
        assertThat(redis.client().exists("queue:default", "queue:default:qbridge:sink-offsets:c")).isZero();
    }

    @Test
    void readOffsetsRefusesAnOffsetsKeyOfTheWrongTypeByName() {
        redis.client().rpush(OFFSETS, "item");
        assertThatThrownBy(() -> writer(QueueKind.RELIABLE).readOffsets("q", List.of(P0)))
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).isEqualTo(QueueException.Kind.WRONG_TYPE);
                    assertThat(e.getMessage()).contains("WRONGTYPE key " + OFFSETS + " holds a list");
                });
    }

    @Test
    void offsetsOfTenThousandPartitionsOfOneQueueAreReadBack() {
        List<TopicPartition> partitions = IntStream.range(0, 10_000).mapToObj(i -> new TopicPartition("t", i)).toList();
        Map<String, String> stored = new HashMap<>();
        // every other partition has an offset: the answer keeps each in its place, absent ones absent
        for (int i = 0; i < partitions.size(); i += 2) {
            stored.put(ExactlyOnceWriter.field(partitions.get(i)), Long.toString(1_000_000_000_000L + i));
        }
        redis.client().hset(OFFSETS, stored);
        Map<TopicPartition, Long> offsets = writer(QueueKind.RELIABLE).readOffsets("q", partitions);
        assertThat(offsets).hasSize(5_000);
        for (int i = 0; i < partitions.size(); i++) {
            assertThat(offsets.get(partitions.get(i))).isEqualTo(i % 2 == 0 ? 1_000_000_000_000L + i : null);
        }
    }

    @Test
    void oneBatchOverTenThousandPartitionsIsWrittenOnceAndItsOffsetsStored() {
        List<Entry> batch = IntStream.range(0, 10_000).mapToObj(i -> job(new TopicPartition("t", i), 7, QueueKind.RELIABLE,
                "job-" + i)).toList();
        ExactlyOnceWriter writer = writer(QueueKind.RELIABLE);
        assertThat(writer.write("q", batch).written()).isEqualTo(10_000);
        assertThat(writer.write("q", batch).skipped()).as("the same batch again is skipped").isEqualTo(10_000);
        assertThat(redis.client().llen("q")).isEqualTo(10_000);
        assertThat(redis.client().hlen(OFFSETS)).isEqualTo(10_000);
        assertThat(redis.client().hget(OFFSETS, "t/9999")).isEqualTo("8");
    }

    private static Map<String, byte[]> dump(List<String> keys) {
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] value = redis.client().dump(key.getBytes(UTF_8));
            dumps.put(key, value == null ? null : Arrays.copyOf(value, value.length));
        }
        return dumps;
    }
}
