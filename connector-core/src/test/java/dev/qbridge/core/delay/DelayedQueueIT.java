package dev.qbridge.core.delay;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DelayedQueueIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    private static RedisQueue delayed(DueTimeUnit unit) {
        return new RedisQueue(connection, QueueConfig.builder("reminders").kind(QueueKind.DELAYED).dueTimeUnit(unit).build());
    }

    @Test
    void jobIsNotTakenBeforeItIsDue() throws Exception {
        RedisQueue q = delayed(DueTimeUnit.SECONDS);
        q.pushJobs(List.of(NewJob.of("soon").withDelay(Duration.ofSeconds(2)), NewJob.of("now")));
        assertThat(q.take(10)).extracting(Delivery::payloadAsString).containsExactly("now");
        assertThat(q.counts().delayed()).isEqualTo(1);
        List<Delivery> later = q.take(10, Duration.ofSeconds(10));
        assertThat(later).extracting(Delivery::payloadAsString).containsExactly("soon");
    }

    @Test
    void scoresAreEpochSecondsByDefaultAndMillisecondsWhenConfigured() {
        Instant due = Instant.ofEpochMilli(4_102_444_800_123L);
        delayed(DueTimeUnit.SECONDS).pushJobs(List.of(NewJob.of("s").dueAt(due)));
        assertThat(redis.client().zscore("reminders", "s")).isEqualTo(4_102_444_800.123);
        redis.flushAll();
        delayed(DueTimeUnit.MILLISECONDS).pushJobs(List.of(NewJob.of("ms").dueAt(due)));
        assertThat(redis.client().zscore("reminders", "ms")).isEqualTo(4_102_444_800_123.0);
    }

    @Test
    void manyPromotersAtOncePushEachDueJobExactlyOnce() throws Exception {
        int jobs = 20_000;
        byte[][] members = IntStream.range(0, jobs).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toArray(byte[][]::new);
        double past = System.currentTimeMillis() / 1000.0 - 10;
        var pipeline = redis.client().pipelined();
        for (byte[] member : members) {
            pipeline.zadd("reminders".getBytes(UTF_8), past, member);
        }
        pipeline.sync();

        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Long>> promoters = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                promoters.add(() -> new DelayedPromoter(connection, "reminders", "work", DueTimeUnit.SECONDS).promoteDue());
            }
            long promoted = 0;
            for (Future<Long> f : pool.invokeAll(promoters)) {
                promoted += f.get();
            }
            assertThat(promoted).isEqualTo(jobs);
        } finally {
            pool.shutdownNow();
        }
        List<String> work = redis.client().lrange("work", 0, -1);
        assertThat(work).hasSize(jobs);
        Set<String> distinct = new HashSet<>(work);
        assertThat(distinct).hasSize(jobs);
        assertThat(redis.client().exists("reminders")).isFalse();
    }

    @Test
    void promotedJobsAreTakenEarliestDueFirst() {
        double now = System.currentTimeMillis() / 1000.0;
        redis.client().zadd("reminders", now - 1, "second");
        redis.client().zadd("reminders", now - 2, "first");
        new DelayedPromoter(connection, "reminders", "work", DueTimeUnit.SECONDS).promoteDue();
        RedisQueue work = new RedisQueue(connection, QueueConfig.builder("work").build());
        assertThat(work.take(10)).extracting(Delivery::payloadAsString).containsExactly("first", "second");
    }
}
