package dev.qbridge.core.consume;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.testkit.JavaProcess;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class KilledConsumerIT {

    private static final int JOBS = 5_000;

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    @Test
    void jobsOfAConsumerKilledMidBatchComeBackAndAreAllDone() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1)).build();
        RedisQueue queue = new RedisQueue(connection, config);
        Set<String> all = IntStream.range(0, JOBS).mapToObj(i -> "job-" + i).collect(Collectors.toSet());
        queue.push(all.stream().sorted().map(s -> s.getBytes(UTF_8)).toList());

        Set<String> heldAtKill = new HashSet<>();
        try (JavaProcess consumer = JavaProcess.start(ConsumerProcess.class, redis.uri(), "orders", "1000")) {
            consumer.waitForOutputLine("CONSUMING", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).until(() -> redis.client().llen("done") >= 1000);
            consumer.kill9();
        }
        // what the dead consumer held: the kill must have hit jobs in flight, or this test proves nothing
        for (String lease : redis.client().zrange("orders:leases", 0, -1)) {
            heldAtKill.add(lease.substring(lease.indexOf(':', lease.indexOf(':', lease.indexOf(':') + 1) + 1) + 1));
        }
        long doneBeforeKill = redis.client().llen("done");
        assertThat(heldAtKill).as("jobs leased to the consumer when it was killed").isNotEmpty();
        assertThat(doneBeforeKill).isLessThan(JOBS);

        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor();
        reaper.scheduleWithFixedDelay(() -> new Reaper(connection, config).reapExpired(), 100, 100, TimeUnit.MILLISECONDS);
        try (QueueWorker survivor = QueueWorker.start(queue, d -> redis.client().rpush("done", d.payloadAsString()), 2, 100)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> queue.counts().total() == 0);
        } finally {
            reaper.shutdownNow();
        }

        Map<String, Long> timesDone = redis.client().lrange("done", 0, -1).stream()
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        Set<String> missing = new HashSet<>(all);
        missing.removeAll(timesDone.keySet());
        Set<String> twice = timesDone.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        System.out.printf("KILLED consumer: %d jobs, %d done before the kill, %d held by the dead consumer, %d missing, "
                + "%d done twice%n", JOBS, doneBeforeKill, heldAtKill.size(), missing.size(), twice.size());
        assertThat(missing).isEmpty();
        assertThat(timesDone.keySet()).isEqualTo(all);
        assertThat(heldAtKill).as("every job the dead consumer held was done").isSubsetOf(timesDone.keySet());
        assertThat(twice).as("only jobs the dead consumer held are done again").isSubsetOf(heldAtKill);
        assertThat(queue.counts().total()).isZero();
    }
}
