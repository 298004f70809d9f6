package dev.qbridge.core.script;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/**
 * Redis never rolls a script back: a script that fails after its first removal loses the jobs it removed. For every
 * operation and every key it writes, this puts another type into that key (an application's own {@code jobs:dead}
 * zset, a stray {@code SET}) and proves that the operation fails naming the key and changes nothing at all, byte
 * for byte, so that no job is ever removed into nowhere.
 */
class CompanionKeyTypeIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    /** A queue with a job in every state: two ready, one leased (returned), one due retry, one dead. */
    private record Stage(RedisQueue queue, Delivery leased) {
    }

    /** What an operation does with the staged queue. */
    private interface Operation {
        void run(Stage stage);
    }

    private static Stage stage(QueueKind kind) {
        QueueConfig config = QueueConfig.builder("q").kind(kind).dueTimeUnit(DueTimeUnit.MILLISECONDS)
                .retry(RetryPolicy.of(3, Duration.ZERO)).leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue queue = new RedisQueue(redis.connection(), config);
        queue.pushJobs(List.of(NewJob.of("dead").withPriority(1), NewJob.of("retry").withPriority(2),
                NewJob.of("leased").withPriority(3), NewJob.of("ready-1").withPriority(4), NewJob.of("ready-2").withPriority(5)));
        queue.deadLetter(queue.take(1).get(0), "staged");
        queue.nack(queue.take(1).get(0), "staged");
        Delivery leased = queue.take(1).get(0);
        redis.client().lpush("q:processing", "stuck"); // a guide-style consumer's job in flight
        return new Stage(queue, leased);
    }

    /** An operation and every key of the queue it writes or must read (its script checks each before any change). */
    private record Op(String name, Operation action, List<String> keys) {
    }

    private static final Operation REAP = s -> {
        sleep(150); // the staged lease has expired
        new Reaper(redis.connection(), s.queue().config()).reapExpired();
    };
    private static final Operation RESCUE = s -> {
        Reaper reaper = new Reaper(redis.connection(), s.queue().config());
        reaper.rescueGuideProcessing(Duration.ZERO); // starts the clocks
        reaper.rescueGuideProcessing(Duration.ZERO); // rescues
    };

    private static List<Op> operations(QueueKind kind) {
        List<String> finishing = List.of("q:leases", "q:retry", "q:dead");
        List<String> reaping = List.of("q:leases", "q:reaped", "q:dead");
        List<Op> ops = new ArrayList<>(List.of(
                new Op("take", s -> s.queue().take(10), List.of("q", "q:leases", "q:retry", "q:seq", "q:reaped")),
                new Op("nack", s -> s.queue().nack(s.leased(), "failed"), finishing),
                new Op("dead-letter", s -> s.queue().deadLetter(s.leased(), "failed"), finishing),
                new Op("release", s -> s.queue().release(List.of(s.leased())), finishing),
                new Op("renew", s -> s.queue().renew(s.leased()), List.of("q:leases")),
                new Op("ack", s -> s.queue().ack(s.leased()), List.of("q:leases")),
                new Op("requeue dead letters", s -> s.queue().requeueDead(10), List.of("q:dead", "q")),
                new Op("count", s -> s.queue().counts(), List.of("q", "q:leases", "q:retry", "q:dead", "q:reaped")),
                new Op("reap", REAP, reaping)));
        switch (kind) {
            case RELIABLE -> {
                ops.add(new Op("push", s -> s.queue().push("new".getBytes(UTF_8)), List.of("q")));
                ops.add(new Op("rescue the guide's processing list", RESCUE, List.of("q:processing", "q:processing:seen", "q")));
            }
            case PRIORITY -> ops.add(new Op("push", s -> s.queue().pushJobs(List.of(NewJob.of("new").withPriority(1))),
                    List.of("q", "q:seq")));
            case DELAYED -> ops.add(new Op("push", s -> s.queue().push("new".getBytes(UTF_8)), List.of("q")));
        }
        return ops;
    }

    private static String typeOf(QueueKind kind, String key) {
        return switch (key) {
            case "q" -> kind == QueueKind.RELIABLE ? "list" : "zset";
            case "q:leases", "q:retry" -> "zset";
            case "q:dead", "q:processing", "q:reaped" -> "list";
            case "q:seq" -> "string";
            case "q:processing:seen" -> "hash";
            default -> throw new IllegalArgumentException(key);
        };
    }

    /** A value of another type than {@code expected}, written the way a stray command would write it. */
    private static Consumer<RedisClient> corrupt(String key, String expected) {
        return switch (expected) {
            case "zset", "string" -> c -> {
                c.del(key);
                c.hset(key, "field", "value");
            };
            case "list" -> c -> c.set(key, "not-a-list");
            case "hash" -> c -> {
                c.del(key);
                c.rpush(key, "item");
            };
            default -> throw new IllegalArgumentException(expected);
        };
    }

    @TestFactory
    Stream<DynamicTest> everyOperationRefusesAKeyOfTheWrongTypeBeforeChangingAnything() {
        List<DynamicTest> tests = new ArrayList<>();
        for (QueueKind kind : QueueKind.values()) {
            for (Op op : operations(kind)) {
                for (String key : op.keys()) {
                    String type = typeOf(kind, key);
                    tests.add(DynamicTest.dynamicTest(kind + " queue: " + op.name() + " with " + key + " holding another type "
                            + "than a " + type, () -> refusesAndChangesNothing(kind, op.action(), key, corrupt(key, type))));
                }
                if (op.keys().contains("q:seq")) {
                    tests.add(DynamicTest.dynamicTest(kind + " queue: " + op.name() + " with q:seq holding a string that is no "
                            + "integer", () -> refusesAndChangesNothing(kind, op.action(), "q:seq", c -> c.set("q:seq", "not-a-number"))));
                }
            }
        }
        tests.add(DynamicTest.dynamicTest("promote with its target holding a zset", () -> {
            redis.flushAll();
            redis.client().zadd("d", 1, "due");
            redis.client().zadd("target", 1, "someone else's zset");
            assertRefusedUnchanged("target", List.of("d", "target"),
                    () -> new DelayedPromoter(redis.connection(), "d", "target", DueTimeUnit.MILLISECONDS).promoteDue());
        }));
        tests.add(DynamicTest.dynamicTest("promote from a delayed queue holding a list", () -> {
            redis.flushAll();
            redis.client().rpush("d", "a list");
            assertRefusedUnchanged("d", List.of("d", "target"),
                    () -> new DelayedPromoter(redis.connection(), "d", "target", DueTimeUnit.MILLISECONDS).promoteDue());
        }));
        return tests.stream();
    }

    private static void refusesAndChangesNothing(QueueKind kind, Operation operation, String key, Consumer<RedisClient> corrupt) {
        redis.flushAll();
        Stage stage = stage(kind);
        corrupt.accept(redis.client());
        assertRefusedUnchanged(key, List.of("q", "q:leases", "q:retry", "q:reaped", "q:dead", "q:seq", "q:processing",
                "q:processing:seen"), () -> operation.run(stage));
    }

    private static void assertRefusedUnchanged(String key, List<String> keys, Runnable operation) {
        Map<String, byte[]> before = dump(keys);
        assertThatThrownBy(operation::run)
                .isInstanceOfSatisfying(QueueException.class, e -> {
                    assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.WRONG_TYPE);
                    assertThat(e.getMessage()).as("the error names the key").contains(key + " holds a");
                });
        Map<String, byte[]> after = dump(keys);
        for (String k : keys) {
            assertThat(after.get(k)).as("key %s is unchanged", k).isEqualTo(before.get(k));
        }
    }

    private static Map<String, byte[]> dump(List<String> keys) {
        Map<String, byte[]> dumps = new LinkedHashMap<>();
        for (String key : keys) {
            byte[] value = redis.client().dump(key.getBytes(UTF_8));
            dumps.put(key, value == null ? null : Arrays.copyOf(value, value.length));
        }
        return dumps;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
