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

        try (JavaProcess consumer = JavaProcess.start(ConsumerProcess.class, redis.uri(), "orders", "1000")) {
            consumer.waitForOutputLine("CONSUMING", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).until(() -> redis.client().scard("done") >= 1000);
            consumer.kill9();
        }
        long heldByTheDead = queue.counts().inFlight();
        long doneBeforeKill = redis.client().scard("done");
        assertThat(doneBeforeKill).isLessThan(JOBS);

        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor();
        reaper.scheduleWithFixedDelay(() -> new Reaper(connection, config).reapExpired(), 100, 100, TimeUnit.MILLISECONDS);
        try (QueueWorker survivor = QueueWorker.start(queue, d -> redis.client().sadd("done", d.payloadAsString()), 2, 100)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> queue.counts().total() == 0);
        } finally {
            reaper.shutdownNow();
        }

        Set<String> done = new HashSet<>(redis.client().smembers("done"));
        Set<String> missing = new HashSet<>(all);
        missing.removeAll(done);
        System.out.printf("KILLED consumer: %d jobs, %d done before the kill, %d held by the dead consumer, %d missing%n",
                JOBS, doneBeforeKill, heldByTheDead, missing.size());
        assertThat(missing).isEmpty();
        assertThat(queue.counts().total()).isZero();
    }
}
