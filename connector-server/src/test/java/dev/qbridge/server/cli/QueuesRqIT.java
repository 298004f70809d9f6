package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code qbridge queues --format rq} on the jobs RQ's own client enqueued: ids in {@code rq:queue:<q>}, each job in its
 * hash {@code rq:job:<id>}, read and deleted together.
 */
class QueuesRqIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @BeforeAll
    static void rqIsInstalled() {
        Rq.requireInstalled();
    }

    @BeforeEach
    void empty() {
        redis.flushAll();
    }

    private static Cli queues(String... args) {
        List<String> all = new ArrayList<>(List.of("queues", "--redis", redis.uri()));
        all.addAll(List.of(args));
        Cli result = Cli.run(all.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    /** Three jobs of default, the last enqueued at the front (RQ's first to run), and one of high. */
    private static List<Rq.Enqueued> enqueue() {
        return Rq.enqueue(redis.uri(), "["
                + "{\"func\": \"tasks.add\", \"args\": [1, 2]},"
                + "{\"func\": \"tasks.add\", \"args\": [3, 4], \"kwargs\": {\"tag\": \"t\"}},"
                + "{\"func\": \"tasks.mul\", \"args\": [5], \"at_front\": true},"
                + "{\"func\": \"tasks.add\", \"args\": [7, 8], \"queue\": \"high\"}]");
    }

    private static RedisQueue rqQueue(RedisConnection connection, String name) {
        return new RedisQueue(connection, SystemQueue.ready(JobFormat.RQ, name).config().build());
    }

    @Test
    void peekShowsRqsJobsInItsTakeOrderWithTheirCallsAndTakesNone() {
        List<Rq.Enqueued> jobs = enqueue();

        Cli peek = queues("peek", "default", "--format", "rq");
        Cli first = queues("peek", "default", "--format", "rq", "-n", "1");

        assertThat(peek.out().lines().toList()).containsExactly(
                jobs.get(2).id() + " tasks.mul(5)",
                jobs.get(0).id() + " tasks.add(1, 2)",
                jobs.get(1).id() + " tasks.add(3, 4, tag='t')");
        assertThat(first.out().lines().toList()).containsExactly(jobs.get(2).id() + " tasks.mul(5)");
        assertThat(redis.client().llen("rq:queue:default")).as("nothing taken").isEqualTo(3);
        assertThat(redis.client().exists("rq:job:" + jobs.get(0).id())).isTrue();
    }

    @Test
    void peekNamesAnIdWhoseJobHashIsMissing() {
        List<Rq.Enqueued> jobs = enqueue();
        redis.client().del("rq:job:" + jobs.get(0).id());

        Cli peek = queues("peek", "default", "--format", "rq");

        assertThat(peek.out()).contains(jobs.get(0).id() + " (its job hash rq:job:" + jobs.get(0).id() + " is missing");
    }

    @Test
    void statsCountsRqsReadyIdsAndTheJobsQbridgeHolds() {
        enqueue();
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            assertThat(rqQueue(connection, "default").take(1)).hasSize(1);
        }

        Cli stats = queues("stats", "default", "--format", "rq");

        assertThat(stats.out()).contains("rq ready: the list rq:queue:default").containsPattern("ready:\\s+2\\b")
                .containsPattern("in flight:\\s+1\\b").containsPattern("total:\\s+3\\b");
    }

    @Test
    void purgeDeletesRqsIdsWithTheirJobHashesAndLeavesOtherQueuesJobs() {
        List<Rq.Enqueued> jobs = enqueue();
        Delivery inFlight;
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            inFlight = rqQueue(connection, "default").take(1).get(0);
        }

        Cli purged = queues("purge", "default", "--format", "rq", "--yes");

        assertThat(purged.out()).contains("purged queue default", "3 jobs");
        assertThat(inFlight.hash()).isNotEmpty();
        for (Rq.Enqueued job : jobs.subList(0, 3)) {
            assertThat(redis.client().exists("rq:job:" + job.id())).as("the hash of " + job.id()).isFalse();
        }
        assertThat(redis.client().exists("rq:queue:default", "rq:queue:default:leases")).isZero();
        assertThat(redis.client().exists("rq:job:" + jobs.get(3).id())).as("high's job").isTrue();
        assertThat(redis.client().llen("rq:queue:high")).isEqualTo(1);
    }

    @Test
    void requeueDeadPutsADeadLetteredIdBackBehindTheReadyOnesWithItsJob() {
        List<Rq.Enqueued> jobs = enqueue();
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue queue = rqQueue(connection, "default");
            queue.deadLetter(queue.take(1).get(0), "failed for good");
        }

        Cli dead = queues("peek", "default", "--format", "rq", "--dead");
        Cli requeued = queues("requeue-dead", "default", "--format", "rq");
        Cli peek = queues("peek", "default", "--format", "rq");

        assertThat(dead.out()).contains("failed for good", jobs.get(2).id());
        assertThat(requeued.out()).contains("requeued 1 dead letters of default; 0 left");
        assertThat(peek.out().lines().toList()).containsExactly(
                jobs.get(0).id() + " tasks.add(1, 2)",
                jobs.get(1).id() + " tasks.add(3, 4, tag='t')",
                jobs.get(2).id() + " tasks.mul(5)");
    }

    @Test
    void rqsScheduledRegistryIsPeekedByDueTimeAndPurgedWithItsJobHashes() {
        long at = 4_000_000_000L; // 2096-10-02T07:06:40Z
        List<Rq.Enqueued> jobs = Rq.enqueue(redis.uri(), "["
                + "{\"func\": \"tasks.add\", \"args\": [2], \"at\": " + (at + 60) + "},"
                + "{\"func\": \"tasks.add\", \"args\": [1], \"at\": " + at + "},"
                + "{\"func\": \"tasks.add\", \"args\": [0]}]");

        Cli peek = queues("peek", "default", "--format", "rq", "--set", "scheduled");
        Cli purged = queues("purge", "default", "--format", "rq", "--set", "scheduled", "--yes");

        assertThat(peek.out().lines().toList()).containsExactly(
                "[due 2096-10-02T07:06:40Z] " + jobs.get(1).id() + " tasks.add(1)",
                "[due 2096-10-02T07:07:40Z] " + jobs.get(0).id() + " tasks.add(2)");
        assertThat(purged.out()).contains("2 jobs");
        assertThat(redis.client().exists("rq:scheduled:default", "rq:job:" + jobs.get(0).id(),
                "rq:job:" + jobs.get(1).id())).isZero();
        assertThat(redis.client().exists("rq:job:" + jobs.get(2).id())).as("the ready job's").isTrue();
    }

    @Test
    void listShowsRqsQueuesFromItsQueuesSet() {
        enqueue();

        Cli list = queues("list");

        assertThat(list.out()).containsPattern("(?m)^default\\s+rq\\s+ready\\s+3\\b")
                .containsPattern("(?m)^high\\s+rq\\s+ready\\s+1\\b").doesNotContain("rq:queue:");
    }
}
