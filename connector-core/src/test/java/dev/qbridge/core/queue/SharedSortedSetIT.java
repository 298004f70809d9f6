package dev.qbridge.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.redis.JedisConnection;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A sorted set that holds the jobs of several queues (Sidekiq's {@code schedule}, {@code retry} and {@code dead}), read
 * as one queue's: only its jobs are taken, counted or purged, each keeps its score, and the others are never touched.
 */
class SharedSortedSetIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    @BeforeEach
    void fill() {
        redis.client().flushAll();
        redis.client().zadd("schedule", 300.25, job("a", "a3"));
        redis.client().zadd("schedule", 100.5, job("a", "a1"));
        redis.client().zadd("schedule", 150, job("b", "b1"));
        redis.client().zadd("schedule", 200, job("a", "a2"));
        redis.client().zadd("schedule", 50, "not json");
        redis.client().zadd("schedule", 60, "{\"queue\":[\"a\"]}");
    }

    private static String job(String queue, String id) {
        return "{\"queue\":\"" + queue + "\",\"jid\":\"" + id + "\"}";
    }

    private static QueueConfig.Builder sharedBy(String queue) {
        return QueueConfig.builder("schedule:" + queue).kind(QueueKind.PRIORITY)
                .sharedSet(new QueueConfig.SharedSet("schedule", "queue", queue));
    }

    private static RedisQueue queue(String name) {
        return new RedisQueue(connection, sharedBy(name).build());
    }

    @Test
    void onlyTheQueuesOwnJobsAreTakenLowestScoreFirstWithTheirScores() {
        List<Delivery> taken = queue("a").take(10);

        assertThat(taken).extracting(Delivery::payloadAsString)
                .containsExactly(job("a", "a1"), job("a", "a2"), job("a", "a3"));
        assertThat(taken).extracting(d -> d.score().orElseThrow()).containsExactly("100.5", "200", "300.25");
        assertThat(redis.client().zrange("schedule", 0, -1)).containsExactly("not json", "{\"queue\":[\"a\"]}", job("b", "b1"));
        assertThat(redis.client().zcard("schedule:a:leases")).isEqualTo(3);
    }

    @Test
    void aTakeSmallerThanTheQueueTakesItsFirstJobsPastTheOthers() {
        RedisQueue a = queue("a");
        assertThat(a.take(1)).extracting(Delivery::payloadAsString).containsExactly(job("a", "a1"));
        assertThat(a.take(1)).extracting(Delivery::payloadAsString).containsExactly(job("a", "a2"));
        assertThat(queue("b").take(5)).extracting(Delivery::payloadAsString).containsExactly(job("b", "b1"));
    }

    @Test
    void countsAndPurgeSeeOnlyTheQueuesOwnJobs() {
        RedisQueue a = queue("a");
        a.take(1);
        QueueCounts counts = a.counts();
        assertThat(counts.ready()).isEqualTo(2);
        assertThat(counts.inFlight()).isEqualTo(1);

        a.purge();

        assertThat(a.counts().total()).isZero();
        assertThat(redis.client().zrange("schedule", 0, -1)).containsExactly("not json", "{\"queue\":[\"a\"]}", job("b", "b1"));
    }

    @Test
    void readyPagesShowTheJobsATakeWouldServeInItsOrderAndTakeNothing() {
        RedisQueue a = queue("a");

        ReadyPage first = a.readyPage(0, 2);
        ReadyPage rest = a.readyPage(first.next(), 2);

        assertThat(first.jobs()).extracting(j -> new String(j.payload(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly(job("a", "a1"), job("a", "a2"));
        assertThat(first.jobs()).extracting(j -> j.score().orElseThrow()).containsExactly("100.5", "200");
        assertThat(first.end()).isFalse();
        assertThat(rest.jobs()).extracting(j -> new String(j.payload(), java.nio.charset.StandardCharsets.UTF_8))
                .containsExactly(job("a", "a3"));
        assertThat(rest.end()).isTrue();
        assertThat(a.take(10)).extracting(Delivery::payloadAsString).as("the same jobs, in the same order")
                .containsExactly(job("a", "a1"), job("a", "a2"), job("a", "a3"));
        assertThat(queue("c").readyPage(0, 5).jobs()).isEmpty();
    }

    @Test
    void aQueuesJobsFarApartInALargeSharedSetArePagedThroughAndCountedEveryOneOnce() {
        redis.client().flushAll();
        java.util.Map<String, Double> members = new java.util.HashMap<>();
        for (int i = 0; i < 5000; i++) {
            members.put(job(i % 1500 == 0 ? "a" : "b", "j" + i), (double) i);
        }
        redis.client().zadd("schedule", members);
        RedisQueue a = queue("a");

        List<String> seen = new java.util.ArrayList<>();
        ReadyPage page = a.readyPage(0, 1);
        while (!page.jobs().isEmpty()) {
            page.jobs().forEach(j -> seen.add(new String(j.payload(), java.nio.charset.StandardCharsets.UTF_8)));
            page = page.end() ? new ReadyPage(List.of(), page.next(), true) : a.readyPage(page.next(), 1);
        }

        assertThat(seen).containsExactly(job("a", "j0"), job("a", "j1500"), job("a", "j3000"), job("a", "j4500"));
        assertThat(a.counts().ready()).as("counted a window at a time").isEqualTo(4);
        assertThat(queue("b").counts().ready()).isEqualTo(4996);
        assertThat(a.exists()).isTrue();
        assertThat(queue("c").exists()).as("no job of c in the set, no key of c's").isFalse();
        assertThat(redis.client().zcard("schedule")).isEqualTo(5000);
    }

    @Test
    void aSharedSetOfAnotherTypeIsRefusedByNameAndNothingChanges() {
        redis.client().del("schedule");
        redis.client().rpush("schedule", "a list");
        RedisQueue a = queue("a");

        assertThatThrownBy(() -> a.take(5)).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.getMessage()).contains("WRONGTYPE key schedule holds a list").contains("nothing was taken"));
        assertThatThrownBy(a::purge).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.getMessage()).contains("WRONGTYPE key schedule holds a list").contains("nothing was removed"));
        assertThatThrownBy(a::counts).isInstanceOfSatisfying(QueueException.class,
                e -> assertThat(e.getMessage()).contains("WRONGTYPE key schedule holds a list"));
        assertThat(redis.client().lrange("schedule", 0, -1)).containsExactly("a list");
    }

    @Test
    void anExpiredLeaseComesBackWithItsScoreAndIsTakenAgain() throws Exception {
        RedisQueue a = new RedisQueue(connection, sharedBy("a").leaseTimeout(Duration.ofMillis(100)).build());
        List<Delivery> first = a.take(1);
        Thread.sleep(150);
        new Reaper(connection, a.config()).reapExpired();

        List<Delivery> again = a.take(1);

        assertThat(again).hasSize(1);
        assertThat(again.get(0).id()).isEqualTo(first.get(0).id());
        assertThat(again.get(0).attempt()).isEqualTo(2);
        assertThat(again.get(0).score()).contains("100.5");
        a.ack(again);
        assertThat(a.counts().ready()).isEqualTo(2);
        assertThat(redis.client().zcard("schedule")).isEqualTo(5);
    }
}
