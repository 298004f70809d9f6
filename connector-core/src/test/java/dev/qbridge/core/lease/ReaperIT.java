package dev.qbridge.core.lease;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.RedisFixture;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.retry.RetryPolicy;
import java.time.Duration;
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

class ReaperIT {

    @RegisterExtension
    static RedisFixture redis = RedisFixture.standalone();

    static JedisConnection connection;

    @BeforeAll
    static void connect() {
        connection = redis.connection();
    }

    @Test
    void jobHeldByADeadConsumerIsRequeuedAfterItsLeaseExpires() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofSeconds(1)).build();
        RedisQueue q = new RedisQueue(connection, config);
        q.push("abandoned".getBytes(UTF_8));
        Delivery lost = q.take(1).get(0);
        Reaper reaper = new Reaper(connection, config);
        assertThat(reaper.reapExpired().total()).as("not before the lease expires").isZero();

        Thread.sleep(1200);
        assertThat(reaper.reapExpired().requeued()).isEqualTo(1);
        Delivery again = q.take(1).get(0);
        assertThat(again.id()).isEqualTo(lost.id());
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.payloadAsString()).isEqualTo("abandoned");
    }

    @Test
    void reapedJobWaitsInTheReapedListAndIsTakenBeforeReadyJobs() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue q = new RedisQueue(connection, config);
        q.push(List.of("first".getBytes(UTF_8), "second".getBytes(UTF_8)));
        Delivery lost = q.take(1).get(0);
        Thread.sleep(200);
        assertThat(new Reaper(connection, config).reapExpired().requeued()).isEqualTo(1);
        var raw = redis.client();
        assertThat(raw.lrange("orders:reaped", 0, -1)).as("the expired lease, unchanged").containsExactly(
                new String(lost.lease(), UTF_8));
        assertThat(raw.exists("orders:retry")).as("the retry zset is not used by the reaper").isFalse();
        assertThat(q.counts().retrying()).as("a reaped job counts as retrying").isEqualTo(1);

        Delivery again = q.take(1).get(0);
        assertThat(again.payloadAsString()).isEqualTo("first");
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.id()).isEqualTo(lost.id());
        assertThat(raw.exists("orders:reaped")).isFalse();
        assertThat(q.take(1).get(0).payloadAsString()).isEqualTo("second");
    }

    @Test
    void aQueueWhoseReaperRequeuedIntoTheRetryZsetStillServesThoseJobs() {
        QueueConfig config = QueueConfig.builder("orders").build();
        RedisQueue q = new RedisQueue(connection, config);
        redis.client().zadd("orders:retry", 1, "7:1::requeued before issue 12"); // as an older reaper left it
        Delivery again = q.take(10).get(0);
        assertThat(again.payloadAsString()).isEqualTo("requeued before issue 12");
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(q.counts().retrying()).isZero();
    }

    @Test
    void reapedJobsOfAPriorityQueueCompeteByTheirPriorityAndTheOthersKeepTheirOrder() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").kind(dev.qbridge.core.queue.QueueKind.PRIORITY)
                .leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue q = new RedisQueue(connection, config);
        q.pushJobs(List.of(dev.qbridge.core.queue.NewJob.of("low").withPriority(5),
                dev.qbridge.core.queue.NewJob.of("urgent").withPriority(1),
                dev.qbridge.core.queue.NewJob.of("lowest").withPriority(9)));
        List<Delivery> all = q.take(3); // urgent, low, lowest
        assertThat(all).extracting(Delivery::payloadAsString).containsExactly("urgent", "low", "lowest");
        q.ack(all.get(0));
        // reaped in lease order: low, lowest; then a middle one arrives
        Thread.sleep(200);
        assertThat(new Reaper(connection, config).reapExpired().requeued()).isEqualTo(2);
        q.pushJobs(List.of(dev.qbridge.core.queue.NewJob.of("middle").withPriority(7),
                dev.qbridge.core.queue.NewJob.of("top").withPriority(0)));
        assertThat(q.take(1)).extracting(Delivery::payloadAsString).containsExactly("top");
        assertThat(q.take(1)).extracting(Delivery::payloadAsString, Delivery::attempt).containsExactly(
                org.assertj.core.groups.Tuple.tuple("low", 2));
        assertThat(q.take(1)).extracting(Delivery::payloadAsString).containsExactly("middle");
        assertThat(q.take(1)).extracting(Delivery::payloadAsString, Delivery::attempt).containsExactly(
                org.assertj.core.groups.Tuple.tuple("lowest", 2));
        assertThat(q.take(1)).isEmpty();
        assertThat(q.counts().total()).isEqualTo(4);
    }

    @Test
    void aReapedJobTakenFromTheMiddleOfTheReapedListLeavesTheOthersInOrder() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").kind(dev.qbridge.core.queue.QueueKind.PRIORITY)
                .leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue q = new RedisQueue(connection, config);
        var raw = redis.client();
        // the reaper requeued, in this order: a job of priority 5, one of priority 1, one of priority 6
        raw.rpush("orders:reaped", "1:1:5:a", "2:1:1:b", "3:1:6:c");
        q.pushJobs(List.of(dev.qbridge.core.queue.NewJob.of("ready").withPriority(3)));
        // the candidates of a take of 2 are the 2 oldest reaped jobs (a, b) and the ready jobs, by priority
        assertThat(q.take(2)).extracting(Delivery::payloadAsString).containsExactly("b", "ready");
        assertThat(raw.lrange("orders:reaped", 0, -1)).containsExactly("1:1:5:a", "3:1:6:c");
        assertThat(q.take(5)).extracting(Delivery::payloadAsString).containsExactly("a", "c");
        assertThat(raw.exists("orders:reaped")).isFalse();
    }

    @Test
    void jobThatKeepsOutlivingItsLeaseEndsInDeadLetters() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(100))
                .retry(RetryPolicy.of(2, Duration.ZERO)).build();
        RedisQueue q = new RedisQueue(connection, config);
        Reaper reaper = new Reaper(connection, config);
        q.push("poison".getBytes(UTF_8));
        q.take(1);
        Thread.sleep(200);
        assertThat(reaper.reapExpired().requeued()).isEqualTo(1);
        q.take(1);
        Thread.sleep(200);
        assertThat(reaper.reapExpired().deadLettered()).isEqualTo(1);
        assertThat(q.counts().dead()).isEqualTo(1);
        assertThat(q.deadLetters(1).get(0).reason()).contains("lease expired on attempt 2 of 2");
    }

    @Test
    void manyReapersAtOnceNeverDuplicateOrDropAJob() throws Exception {
        int jobs = 20_000;
        QueueConfig config = QueueConfig.builder("orders").leaseTimeout(Duration.ofMillis(100)).build();
        RedisQueue q = new RedisQueue(connection, config);
        q.push(IntStream.range(0, jobs).mapToObj(i -> ("job-" + i).getBytes(UTF_8)).toList());
        while (!q.take(1000).isEmpty()) {
            // every job is now leased to a consumer that will never ack
        }
        Thread.sleep(200);

        ExecutorService pool = Executors.newFixedThreadPool(4);
        long requeued = 0;
        try {
            List<Callable<Long>> reapers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                reapers.add(() -> new Reaper(connection, config).reapExpired().requeued());
            }
            for (Future<Long> f : pool.invokeAll(reapers)) {
                requeued += f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(requeued).isEqualTo(jobs);
        Set<String> seen = new HashSet<>();
        int taken = 0;
        for (List<Delivery> batch = q.take(1000); !batch.isEmpty(); batch = q.take(1000)) {
            batch.forEach(d -> seen.add(d.payloadAsString()));
            taken += batch.size();
            q.ack(batch);
        }
        assertThat(taken).isEqualTo(jobs);
        assertThat(seen).hasSize(jobs);
        assertThat(q.counts().total()).isZero();
    }

    @Test
    void aCopyTakenAgainLongAfterItsPayloadWasFirstSeenStartsAClockOfItsOwn() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").build();
        Reaper reaper = new Reaper(connection, config);
        var raw = redis.client();
        raw.lpush("orders:processing", "job");
        raw.lpush("orders:processing", IntStream.range(0, 10_000).mapToObj(i -> "filler-" + i).toArray(String[]::new));
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(300)).rescued()).as("the first pass starts clocks").isZero();
        raw.lrem("orders:processing", 1, "job"); // the foreign consumer acks it
        raw.lpush("orders:processing", "filler-new"); // the list stays longer than the window
        reaper.rescueGuideProcessing(Duration.ofMillis(300));
        Thread.sleep(400);
        raw.del("orders:processing"); // the fillers are acked...
        raw.lpush("orders:processing", "job"); // ...and an identical job is taken just now
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(300)).rescued())
                .as("never rescued on its first pass, whatever its payload was seen doing before").isZero();
        Thread.sleep(400);
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(300)).rescued()).isEqualTo(1);
        assertThat(raw.lrange("orders", 0, -1)).containsExactly("job");
    }

    @Test
    void everyCopyOfAPayloadHasItsOwnClock() throws Exception {
        QueueConfig config = QueueConfig.builder("orders").build();
        Reaper reaper = new Reaper(connection, config);
        var raw = redis.client();
        raw.lpush("orders:processing", "same");
        reaper.rescueGuideProcessing(Duration.ofMillis(300));
        Thread.sleep(400);
        raw.lpush("orders:processing", "same"); // a second consumer takes an identical job
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(300)).rescued()).as("only the old copy").isEqualTo(1);
        assertThat(raw.llen("orders:processing")).isEqualTo(1);
        assertThat(reaper.rescueGuideProcessing(Duration.ofMillis(300)).rescued()).as("the new copy's clock just started").isZero();
    }

    @Test
    void aLeaseMemberQbridgeDidNotWriteGoesToTheDeadLettersWhole() {
        QueueConfig config = QueueConfig.builder("orders").build();
        redis.client().zadd("orders:leases", 0, "garbage");
        Reaper.Result result = new Reaper(connection, config).reapExpired();
        assertThat(result.deadLettered()).isEqualTo(1);
        var dead = new RedisQueue(connection, config).deadLetters(1).get(0);
        assertThat(dead.payloadAsString()).isEqualTo("garbage");
        assertThat(dead.reason()).contains("not a qbridge lease member");
        assertThat(redis.client().zcard("orders:leases")).isZero();
    }
}
