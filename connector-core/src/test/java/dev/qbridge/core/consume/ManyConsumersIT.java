package dev.qbridge.core.consume;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ManyConsumersIT {

    private static final int JOBS = 100_000;
    private static final Duration LEASE = Duration.ofSeconds(2);

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    /** One delivery as the handler saw it. */
    record Seen(long id, int attempt, long atMillis) {
    }

    @Test
    void everyJobIsAckedNoneLostAndRedeliveredOnlyAfterItsLeaseExpired() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(LEASE).build();
        RedisQueue queue = new RedisQueue(connection, config);

        Map<String, List<Seen>> handled = new ConcurrentHashMap<>();
        List<Thread> producers = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            int producer = p;
            Thread t = new Thread(() -> {
                for (int from = producer; from < JOBS; from += 2 * 1000) {
                    int start = from;
                    queue.push(IntStream.range(0, 1000).map(i -> start + 2 * i).filter(i -> i < JOBS)
                            .mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
                }
            });
            t.start();
            producers.add(t);
        }

        // a consumer that takes jobs and hangs forever: only the reaper can bring them back
        List<Delivery> hung = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            hung.addAll(queue.take(500 - hung.size()));
            return hung.size() >= 500;
        });

        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor();
        reaper.scheduleWithFixedDelay(() -> new Reaper(connection, config).reapExpired(), 100, 100, TimeUnit.MILLISECONDS);
        try (QueueWorker worker = QueueWorker.start(queue, d -> handled
                .computeIfAbsent(d.payloadAsString(), k -> new CopyOnWriteArrayList<>())
                .add(new Seen(d.id(), d.attempt(), System.currentTimeMillis())), 4, 200)) {
            for (Thread producer : producers) {
                producer.join();
            }
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> handled.size() == JOBS && queue.counts().total() == 0);
        } finally {
            reaper.shutdownNow();
        }

        assertThat(handled).hasSize(JOBS);
        assertThat(queue.counts().total()).isZero();
        Map<Long, Long> hungTakenAt = new HashMap<>();
        hung.forEach(d -> hungTakenAt.put(d.id(), d.takenAtMillis()));
        handled.forEach((payload, seen) -> {
            for (Seen s : seen) {
                if (s.attempt() > 1) {
                    assertThat(hungTakenAt).as("only jobs of the hung consumer are redelivered").containsKey(s.id());
                    // the lease deadline is set by the server before the take's reply reaches us: allow that latency
                    assertThat(s.atMillis() - hungTakenAt.get(s.id())).as("redelivered only after the lease expired")
                            .isGreaterThanOrEqualTo(LEASE.toMillis() - 100);
                }
            }
        });
        long redelivered = handled.values().stream().filter(s -> s.stream().anyMatch(x -> x.attempt() > 1)).count();
        assertThat(redelivered).isEqualTo(hung.size());
    }
}
