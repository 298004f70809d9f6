package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Protocol;

/**
 * A queue whose job system lists its queues in a set (Sidekiq's client does {@code LPUSH queue:<q>} and
 * {@code SADD queues <q>} together): every push adds the member in the same step, or pushes nothing.
 */
class RegistryPushIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    private static final String LIST = "queue:default";
    private static final List<String> KEYS = List.of(LIST, "queues");

    private static RedisQueue queue() {
        return new RedisQueue(redis.connection(), QueueConfig.builder(LIST).registry("queues", "default").build());
    }

    private static List<byte[]> jobs(int n) {
        return IntStream.range(0, n).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList();
    }

    @Test
    void everyPushAddsTheQueueToTheRegistrySet() {
        RedisQueue queue = queue();
        assertThat(queue.push(jobs(2500))).isEqualTo(2500); // three script calls
        assertThat(redis.client().smembers("queues")).containsExactly("default");
        assertThat(redis.client().llen(LIST)).isEqualTo(2500);
        assertThat(queue.take(3)).extracting(Delivery::payloadAsString).containsExactly("job-0", "job-1", "job-2");

        redis.client().srem("queues", "default"); // a Sidekiq admin removed the queue from its list: the next push adds it
        queue.push("job-again".getBytes(UTF_8));
        assertThat(redis.client().smembers("queues")).containsExactly("default");
        assertThat(QueueConfig.builder(LIST).build().registry()).isEmpty();
    }

    @Test
    void aRegistryOfAnotherTypeIsRefusedBeforeAnythingIsPushed() {
        RedisQueue queue = queue();
        redis.client().lpush(LIST, "waiting");
        redis.client().set("queues", "not a set");
        Map<String, byte[]> before = dump();
        assertThatThrownBy(() -> queue.push(jobs(3))).isInstanceOfSatisfying(QueueException.class, e -> {
            assertThat(e.kind()).isEqualTo(QueueException.Kind.WRONG_TYPE);
            assertThat(e.getMessage()).contains("WRONGTYPE key queues holds a string, but it must be the registry set of queue "
                    + LIST + " (a set); nothing was pushed");
        });
        assertUnchanged(before);
    }

    @Test
    void aReadyListOfAnotherTypeAddsNothingToTheRegistry() {
        RedisQueue queue = queue();
        redis.client().set(LIST, "not a list");
        redis.client().sadd("queues", "critical");
        Map<String, byte[]> before = dump();
        assertThatThrownBy(() -> queue.push(jobs(3))).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.getMessage()).contains("WRONGTYPE key " + LIST + " holds a string"));
        assertUnchanged(before);
    }

    @Test
    void aPushWhoseRegistryWriteIsDeniedTakesItsJobsBack() {
        redis.client().lpush(LIST, "waiting");
        redis.client().sendCommand(Protocol.Command.ACL, "SETUSER", "nosadd", "reset", "on", ">nosadd-pw", "~*", "+@all", "-sadd");
        try (JedisConnection denied = JedisConnection.open(RedisEndpoint.builder(redis.uri()).user("nosadd").password("nosadd-pw")
                .build())) {
            RedisQueue queue = new RedisQueue(denied, QueueConfig.builder(LIST).registry("queues", "default").build());
            Map<String, byte[]> before = dump();
            assertThatThrownBy(() -> queue.push(jobs(3))).isInstanceOfSatisfying(QueueException.class,
                    e -> assertThat(e.kind()).as(e.getMessage()).isEqualTo(QueueException.Kind.PERMISSION));
            assertUnchanged(before);
        } finally {
            redis.client().sendCommand(Protocol.Command.ACL, "DELUSER", "nosadd");
        }
    }

    @Test
    void aRegistryIsForReliableQueues() {
        assertThatThrownBy(() -> QueueConfig.builder("q").kind(QueueKind.PRIORITY).registry("queues", "q").build())
                .isInstanceOf(QueueException.class).hasMessageContaining("reliable");
        assertThatThrownBy(() -> QueueConfig.builder("q").registry("q:dead", "q").build())
                .hasMessageContaining("not a key of the queue");
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
