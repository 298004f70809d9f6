package dev.qbridge.core.queue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Redis with AOF (appendfsync always), killed with kill -9 and restarted on the same port and data. */
class RedisRestartIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.withAof();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    private static List<byte[]> jobs(int count) {
        return IntStream.range(0, count).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList();
    }

    /** Waits until the pool has replaced the connections the dead server broke. */
    private static QueueCounts countsOnceReachable(RedisQueue queue) {
        QueueCounts[] counts = new QueueCounts[1];
        await().atMost(Duration.ofSeconds(30)).ignoreException(QueueException.class).until(() -> {
            counts[0] = queue.counts();
            return true;
        });
        return counts[0];
    }

    @Test
    void noAckedJobReappearsAndNoUnackedJobVanishesAcrossARestart() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(500)).build();
        RedisQueue queue = new RedisQueue(connection, config);
        queue.push(jobs(10_000));
        Set<String> acked = new HashSet<>();
        for (int i = 0; i < 2; i++) {
            List<Delivery> batch = queue.take(1000);
            queue.ack(batch);
            batch.forEach(d -> acked.add(d.payloadAsString()));
        }
        List<Delivery> unacked = queue.take(1000);

        redis.restart();

        assertThat(countsOnceReachable(queue)).isEqualTo(new QueueCounts(7000, 1000, 0, 0, 0, 0));
        Thread.sleep(600);
        assertThat(new Reaper(connection, config).reapExpired().requeued()).isEqualTo(1000);
        Set<String> after = new HashSet<>();
        for (List<Delivery> batch = queue.take(1000); !batch.isEmpty(); batch = queue.take(1000)) {
            batch.forEach(d -> after.add(d.payloadAsString()));
            queue.ack(batch);
        }
        assertThat(after).hasSize(8000).doesNotContainAnyElementsOf(acked);
        assertThat(after).containsAll(unacked.stream().map(Delivery::payloadAsString).toList());
    }

    @Test
    void workerRidesOutARedisRestartWithoutLosingAJob() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1)).build();
        RedisQueue queue = new RedisQueue(connection, config);
        queue.push(jobs(20_000));
        Set<String> done = ConcurrentHashMap.newKeySet();
        try (QueueWorker worker = QueueWorker.start(queue, d -> {
            done.add(d.payloadAsString());
            Thread.sleep(0, 50_000);
        }, 2, 100)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> done.size() >= 2000);
            redis.restart();
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreException(QueueException.class)
                    .until(() -> {
                        new Reaper(connection, config).reapExpired();
                        return queue.counts().total() == 0;
                    });
        }
        Set<String> expected = jobs(20_000).stream().map(b -> new String(b, UTF_8)).collect(Collectors.toSet());
        assertThat(done).containsAll(expected);
    }
}
