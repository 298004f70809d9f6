package dev.qbridge.core.script;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;

/**
 * The take scripts check {@code q:seq} and {@code q:leases} by their own writes, after the ready jobs left the queue
 * (take-list's RPOP, take-sorted's INCRBY): a refused write puts back exactly what came before. This proves it where
 * {@link CompanionKeyTypeIT}'s staged queue does not reach: a queue of ready jobs only, taken one at a time and many
 * (several RPOP chunks), with the counter absent or counting; the refusal is today's, word for word, nothing is lost,
 * the order is kept, and once the key is mended the ids continue where they were.
 */
class TakeUndoesItsPopIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    private static final List<String> KEYS = List.of("q", "q:leases", "q:retry", "q:reaped", "q:dead", "q:seq");
    private static final int JOBS = 150;

    private static RedisQueue queue(QueueKind kind) {
        return new RedisQueue(redis.connection(), QueueConfig.builder("q").kind(kind)
                .dueTimeUnit(DueTimeUnit.MILLISECONDS).leaseTimeout(Duration.ofSeconds(30)).build());
    }

    /** JOBS ready jobs, job-0 first in line; the counter at {@code seq} (0: absent, as on a queue never taken from). */
    private static RedisQueue ready(QueueKind kind, long seq) {
        RedisQueue queue = queue(kind);
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            // due in the past, one ms apart, so that a delayed queue orders them as pushed
            jobs.add(NewJob.of("job-" + i).withPriority(1).dueAt(Instant.ofEpochMilli(1_000_000 + i)));
        }
        queue.pushJobs(jobs);
        redis.client().del("q:seq"); // a priority push counts ids too; set the counter this test is about
        if (seq > 0) {
            redis.client().set("q:seq", Long.toString(seq));
        }
        return queue;
    }

    private record Broken(String key, Runnable corrupt, Runnable mend, String message) {
    }

    private static List<Broken> breakages() {
        return List.of(
                new Broken("q:leases", () -> redis.client().hset("q:leases", "field", "value"), () -> redis.client().del("q:leases"),
                        "WRONGTYPE key q:leases holds a hash, but it must be the leases of queue q (a sorted set); nothing was taken"),
                new Broken("q:seq", () -> redis.client().set("q:seq", "not-a-number"), () -> redis.client().del("q:seq"),
                        "WRONGTYPE key q:seq holds a string that is not an integer, but it must be the job id counter of queue q; "
                                + "nothing was taken"));
    }

    @TestFactory
    Stream<DynamicTest> aTakeRefusedByAWriteAfterItsFirstPutsEveryJobBackInOrder() {
        List<DynamicTest> tests = new ArrayList<>();
        for (QueueKind kind : QueueKind.values()) {
            for (int batch : new int[] {1, 100}) {
                for (long seq : new long[] {0, 41}) {
                    for (Broken broken : breakages()) {
                        if (broken.key().equals("q:seq") && seq > 0) {
                            continue; // the counter is either counting or broken
                        }
                        tests.add(DynamicTest.dynamicTest(kind + " queue, batch " + batch + ", q:seq " + (seq == 0 ? "absent" : seq)
                                + ", " + broken.key() + " broken", () -> refusedUnchangedThenServedInOrder(kind, batch, seq, broken)));
                    }
                }
            }
        }
        return tests.stream();
    }

    private static void refusedUnchangedThenServedInOrder(QueueKind kind, int batch, long seq, Broken broken) {
        redis.flushAll();
        RedisQueue queue = ready(kind, seq);
        broken.corrupt().run();
        Map<String, byte[]> before = dump();
        assertThatThrownBy(() -> queue.take(batch)).isInstanceOfSatisfying(QueueException.class, e -> {
            assertThat(e.kind()).isEqualTo(QueueException.Kind.WRONG_TYPE);
            assertThat(e.getMessage()).contains(broken.message());
        });
        assertUnchanged(before);

        broken.mend().run();
        long firstId = broken.key().equals("q:seq") ? 1 : seq + 1;
        List<Delivery> taken = new ArrayList<>();
        while (taken.size() < JOBS) {
            List<Delivery> batchTaken = queue.take(batch);
            assertThat(batchTaken).as("a job is missing after %s", taken.size()).isNotEmpty();
            taken.addAll(batchTaken);
        }
        assertThat(taken).extracting(d -> new String(d.payload(), UTF_8))
                .containsExactlyElementsOf(IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).toList());
        assertThat(taken).extracting(Delivery::id)
                .containsExactlyElementsOf(IntStream.range(0, JOBS).mapToObj(i -> firstId + i).toList());
    }

    @TestFactory
    Stream<DynamicTest> aTakeWhoseLeaseWriteIsDeniedByAclPutsTheJobsBackAndSaysSo() {
        return Arrays.stream(QueueKind.values()).map(kind -> DynamicTest.dynamicTest(kind + " queue", () -> {
            redis.flushAll();
            ready(kind, 41);
            redis.client().sendCommand(Protocol.Command.ACL, "SETUSER", "nozadd", "reset", "on", ">nozadd-pw", "~*", "+@all", "-zadd");
            try (JedisConnection denied = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("nozadd")
                    .password("nozadd-pw").build())) {
                RedisQueue queue = new RedisQueue(denied, QueueConfig.builder("q").kind(kind)
                        .dueTimeUnit(DueTimeUnit.MILLISECONDS).build());
                Map<String, byte[]> before = dump();
                assertThatThrownBy(() -> queue.take(100)).isInstanceOfSatisfying(QueueException.class,
                        e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.PERMISSION));
                assertUnchanged(before);
            } finally {
                redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "nozadd");
            }
        }));
    }

    @Test
    void aCounterTooLargeForExactIdsIsRefusedAndTheJobsStay() {
        redis.flushAll();
        RedisQueue queue = ready(QueueKind.RELIABLE, 0);
        redis.client().set("q:seq", "1000000000000000000");
        Map<String, byte[]> before = dump();
        assertThatThrownBy(() -> queue.take(10)).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.getMessage()).contains("WRONGTYPE key q:seq holds a string that is not an integer"));
        assertUnchanged(before);
    }

    private static void assertUnchanged(Map<String, byte[]> before) {
        Map<String, byte[]> after = dump();
        for (String key : KEYS) {
            assertThat(after.get(key)).as("key %s is unchanged, byte for byte", key).isEqualTo(before.get(key));
        }
    }

    private static Map<String, byte[]> dump() {
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        for (String key : KEYS) {
            byte[] value = redis.client().dump(key.getBytes(UTF_8));
            dumps.put(key, value == null ? null : Arrays.copyOf(value, value.length));
        }
        return dumps;
    }
}
