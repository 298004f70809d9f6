package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.core.script.LuaScript;
import dev.qbridge.testkit.RedisClusterExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The same guarantees on a real three-master Redis Cluster, every script on one slot. */
class ClusterQueueIT {

    @RegisterExtension
    static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        String seeds = cluster.nodes().stream().map(n -> n.getHost() + ":" + n.getPort()).collect(Collectors.joining(","));
        connection = JedisConnection.open(RedisEndpoint.parse("redis-cluster://" + seeds));
    }

    @AfterAll
    static void disconnect() {
        connection.close();
    }

    @Test
    void queueWhoseKeysWouldSpanSlotsIsRefusedWithTheFix() {
        assertThatThrownBy(() -> new RedisQueue(connection, QueueConfig.builder("orders").build()))
                .isInstanceOf(QueueException.class).hasMessageContaining("{orders}");
        assertThatThrownBy(() -> new DelayedPromoter(connection, "{a}:delayed", "{b}", DueTimeUnit.SECONDS))
                .hasMessageContaining("hash tag");
    }

    @Test
    void extraReadyListsAndARegistryMustShareTheQueueSlot() {
        assertThatThrownBy(() -> new RedisQueue(connection, QueueConfig.builder("{celery}")
                .extraReadyLists(List.of("{celery}\u0006\u00163", "celery\u0006\u00166")).build()))
                .isInstanceOf(QueueException.class).hasMessageContaining("celery\u0006\u00166").hasMessageContaining("hash tag");
        assertThatThrownBy(() -> new RedisQueue(connection, QueueConfig.builder("{sq}:queue:default")
                .registry("queues", "default").build()))
                .isInstanceOf(QueueException.class).hasMessageContaining("queues");
        RedisQueue tagged = new RedisQueue(connection, QueueConfig.builder("{celery}")
                .extraReadyLists(List.of("{celery}\u0006\u00163")).build());
        connection.lpush("{celery}\u0006\u00163".getBytes(UTF_8), List.of("urgent".getBytes(UTF_8)));
        assertThat(tagged.take(10)).extracting(Delivery::payloadAsString).containsExactly("urgent");
    }

    @Test
    void reliableQueueTakesAcksAndRetriesOnOneSlot() throws Exception {
        RedisQueue q = new RedisQueue(connection, QueueConfig.builder("{orders}").leaseTimeout(Duration.ofMillis(200)).build());
        q.push(IntStream.range(0, 3000).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
        List<Delivery> batch = q.take(1000);
        assertThat(batch).hasSize(1000);
        assertThat(q.ack(batch.subList(0, 500))).isEqualTo(500);
        assertThat(q.nack(batch.get(500), "flaky")).isEqualTo(NackOutcome.RETRY_SCHEDULED);
        Thread.sleep(300);
        assertThat(new Reaper(connection, q.config()).reapExpired().requeued()).isEqualTo(499);
        assertThat(q.counts()).isEqualTo(new QueueCounts(2000, 0, 0, 500, 0, 0));
    }

    @Test
    void priorityAndDelayedQueuesWorkOnTheCluster() {
        RedisQueue priority = new RedisQueue(connection, QueueConfig.builder("{alerts}").kind(QueueKind.PRIORITY).build());
        priority.pushJobs(List.of(NewJob.of("low").withPriority(9), NewJob.of("high").withPriority(1)));
        assertThat(priority.take(10)).extracting(Delivery::payloadAsString).containsExactly("high", "low");

        RedisQueue delayed = new RedisQueue(connection, QueueConfig.builder("{mail}:delayed").kind(QueueKind.DELAYED).build());
        delayed.pushJobs(List.of(NewJob.of("now"), NewJob.of("later").withDelay(Duration.ofHours(1))));
        assertThat(new DelayedPromoter(connection, "{mail}:delayed", "{mail}", DueTimeUnit.SECONDS).promoteDue()).isEqualTo(1);
        RedisQueue mail = new RedisQueue(connection, QueueConfig.builder("{mail}").build());
        assertThat(mail.take(10)).extracting(Delivery::payloadAsString).containsExactly("now");
        assertThat(delayed.counts().delayed()).isEqualTo(1);
    }

    @Test
    void queuesSpreadOverAllMastersLoseNoJob() throws Exception {
        List<RedisQueue> queues = new ArrayList<>();
        Set<Integer> slots = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            RedisQueue q = new RedisQueue(connection, QueueConfig.builder("{q" + i + "}").build());
            queues.add(q);
            slots.add(connection.slot(q.keys().ready()));
            q.push(IntStream.range(0, 2000).mapToObj(j -> (q.name() + "-" + j).getBytes(UTF_8)).toList());
        }
        assertThat(slots).hasSizeGreaterThan(1);
        Set<String> done = ConcurrentHashMap.newKeySet();
        List<QueueWorker> workers = new ArrayList<>();
        queues.forEach(q -> workers.add(QueueWorker.start(q, d -> done.add(d.payloadAsString()), 1, 200)));
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> done.size() == 9 * 2000);
            await().atMost(Duration.ofSeconds(10)).until(() -> queues.stream().allMatch(q -> q.counts().total() == 0));
        } finally {
            workers.forEach(QueueWorker::close);
        }
    }

    @Test
    void scanFindsQueueKeysOnEveryMaster() {
        for (int i = 0; i < 9; i++) {
            new RedisQueue(connection, QueueConfig.builder("{scan" + i + "}").build()).push("x".getBytes(UTF_8));
        }
        assertThat(connection.scanKeys("{scan*", 100)).hasSize(9);
    }

    @Test
    void aScriptWhoseReplyTimesOutRanOnceAndIsNeverSentAgain() throws Exception {
        // the cluster client resends a command whose reply timed out; a take or a push that ran would then run twice.
        // Every script and LPUSH goes to its node once: the timeout reaches the caller, which knows what is safe.
        String seeds = cluster.nodes().stream().map(n -> n.getHost() + ":" + n.getPort()).collect(Collectors.joining(","));
        LuaScript slow = LuaScript.load(ClusterQueueIT.class, "slow-incr");
        try (JedisConnection impatient = JedisConnection.open(RedisEndpoint.parse("redis-cluster://" + seeds + "?timeout=300"))) {
            List<byte[]> keys = List.of("{slow}:runs".getBytes(UTF_8));
            impatient.eval(slow, keys, List.of("0".getBytes(UTF_8))); // loaded, and a live connection to its node
            assertThatThrownBy(() -> impatient.eval(slow, keys, List.of("500000".getBytes(UTF_8))))
                    .isInstanceOf(QueueException.class).hasMessageContaining("Read timed out");
            Thread.sleep(1500); // long enough for any resend to have run
            assertThat(cluster.client().get("{slow}:runs")).as("the first call, then the slow one once").isEqualTo("2");
        }
    }
}
