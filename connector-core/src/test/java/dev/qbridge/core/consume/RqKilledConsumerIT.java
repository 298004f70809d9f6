package dev.qbridge.core.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.Rq;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
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

/**
 * A consumer JVM killed with kill -9 while it holds RQ jobs its client enqueued: every id it held comes back after its
 * lease expires with its hash intact, and every job is done (at least once, twice only if the dead consumer held it);
 * no id and no job hash is left behind.
 */
class RqKilledConsumerIT {

    private static final int JOBS = 400;
    private static final String LIST = "rq:queue:default";

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    @BeforeAll
    static void rqIsInstalled() {
        Rq.requireInstalled();
    }

    @Test
    void rqJobsOfAConsumerKilledMidBatchComeBackWithTheirHashesAndAreAllDone() throws Exception {
        String specs = IntStream.range(0, JOBS).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i + "]}")
                .collect(Collectors.joining(", ", "[", "]"));
        Set<String> all = Rq.enqueue(redis.uri(), specs).stream().map(Rq.Enqueued::id).collect(Collectors.toSet());
        Map<String, Long> fields = new HashMap<>();
        all.forEach(id -> fields.put(id, (long) redis.client().hgetAll("rq:job:" + id).size()));

        try (JavaProcess consumer = JavaProcess.start(ConsumerProcess.class, redis.uri(), LIST, "1000", "rq")) {
            consumer.waitForOutputLine("CONSUMING", Duration.ofSeconds(30));
            await().atMost(Duration.ofSeconds(60)).until(() -> redis.client().llen("done") >= 60);
            consumer.kill9();
        }
        Set<String> heldAtKill = new HashSet<>();
        for (String lease : redis.client().zrange(LIST + ":leases", 0, -1)) {
            heldAtKill.add(lease.substring(lease.indexOf(':', lease.indexOf(':', lease.indexOf(':') + 1) + 1) + 1));
        }
        assertThat(heldAtKill).as("jobs leased to the consumer when it was killed").isNotEmpty();
        assertThat(heldAtKill).allSatisfy(id -> assertThat(redis.client().exists("rq:job:" + id))
                .as("the hash of %s, held by the dead consumer", id).isTrue());

        QueueConfig config = QueueConfig.builder(LIST).jobHashes("rq:job:", QueueConfig.ListEnd.HEAD)
                .leaseTimeout(Duration.ofSeconds(1)).build();
        RedisQueue queue = new RedisQueue(redis.connection(), config);
        ScheduledExecutorService reaper = Executors.newSingleThreadScheduledExecutor();
        reaper.scheduleWithFixedDelay(() -> new Reaper(redis.connection(), config).reapExpired(), 100, 100, TimeUnit.MILLISECONDS);
        try (QueueWorker survivor = QueueWorker.start(queue,
                d -> redis.client().rpush("done", d.payloadAsString() + "=" + d.hash().size()), 2, 50)) {
            await().atMost(Duration.ofSeconds(60)).until(() -> queue.counts().total() == 0);
        } finally {
            reaper.shutdownNow();
        }

        List<String> done = redis.client().lrange("done", 0, -1);
        Map<String, Long> timesDone = done.stream().map(r -> r.substring(0, r.indexOf('=')))
                .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        assertThat(done).as("every delivery carried the job's whole hash").allSatisfy(r -> assertThat(
                Long.parseLong(r.substring(r.indexOf('=') + 1))).isEqualTo(fields.get(r.substring(0, r.indexOf('=')))));
        assertThat(timesDone.keySet()).isEqualTo(all);
        Set<String> twice = timesDone.entrySet().stream().filter(e -> e.getValue() > 1).map(Map.Entry::getKey)
                .collect(Collectors.toSet());
        assertThat(twice).as("only jobs the dead consumer held are done again").isSubsetOf(heldAtKill);
        assertThat(redis.client().keys("rq:job:*")).as("every hash deleted with its ack").isEmpty();
        assertThat(redis.client().llen(LIST)).isZero();
    }
}
