package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Rq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code qbridge migrate} from a queue RQ's own client (python3-rq) filled: each id leaves with its hash, and the real
 * workers of the destination (Celery, RQ) run every job; nothing is left at the source, no id and no job hash.
 */
class RqMigrateIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int JOBS = 40;

    @RegisterExtension
    static RedisServerExtension oldRedis = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension newRedis = RedisServerExtension.standalone();

    @BeforeAll
    static void systemsAreInstalled() {
        Rq.requireInstalled();
        Celery.requireInstalled();
    }

    @BeforeEach
    void empty() {
        oldRedis.flushAll();
        newRedis.flushAll();
    }

    private static List<Rq.Enqueued> enqueue() {
        String specs = IntStream.range(0, JOBS).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i + ", " + (i * 2)
                + "], \"kwargs\": {\"tag\": \"t" + i + "\"}}").collect(Collectors.joining(", ", "[", "]"));
        List<Rq.Enqueued> jobs = Rq.enqueue(oldRedis.uri(), specs);
        assertThat(jobs).hasSize(JOBS);
        return jobs;
    }

    private static Cli migrate(String... args) {
        List<String> all = new ArrayList<>(List.of("migrate", "--progress", "lines", "--batch-size", "7"));
        all.addAll(List.of(args));
        Cli result = Cli.run(all.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    private static void assertNothingLeftAtTheSource() {
        assertThat(oldRedis.client().llen("rq:queue:default")).isZero();
        assertThat(oldRedis.client().keys("rq:job:*")).as("every moved job's hash is deleted with its ack").isEmpty();
        assertThat(oldRedis.client().zcard("rq:queue:default:leases")).isZero();
        assertThat(oldRedis.client().exists("rq:queue:default:dead")).isFalse();
    }

    @Test
    void rqJobsMoveToCeleryOnAnotherRedisAndACeleryWorkerRunsEveryOne() {
        List<Rq.Enqueued> jobs = enqueue();

        Cli moved = migrate("--from", "redisq:default?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:celery?format=celery&redisUri=" + newRedis.uri());

        assertThat(moved.out()).contains("OK");
        assertNothingLeftAtTheSource();
        assertThat(newRedis.client().llen("celery")).isEqualTo(JOBS);
        try (JobWorker worker = Celery.startWorker(newRedis.uri(), List.of("celery"), List.of("tasks.add"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(JOBS, Duration.ofSeconds(120)).stream()
                    .map(RqMigrateIT::tree).collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
            assertThat(runs.keySet()).as("Celery's task id is RQ's job id")
                    .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
            JsonNode seventh = runs.get(jobs.get(7).id());
            assertThat(seventh.get("task").asText()).isEqualTo("tasks.add");
            assertThat(seventh.get("args").toString()).isEqualTo("[7,14]");
            assertThat(seventh.get("kwargs").toString()).isEqualTo("{\"tag\":\"t7\"}");
        }
        assertThat(newRedis.client().llen("celery")).as("none left behind").isZero();
    }

    @Test
    void rqJobsMoveToAnotherRedisWhereRqsWorkerRunsEveryOneWithTheSameCall() {
        List<Rq.Enqueued> jobs = enqueue();

        Cli moved = migrate("--from", "redisq:default?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:default?format=rq&redisUri=" + newRedis.uri());

        assertThat(moved.out()).contains("OK");
        assertNothingLeftAtTheSource();
        assertThat(newRedis.client().lrange("rq:queue:default", 0, -1)).as("in RQ's order")
                .containsExactlyElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
        assertThat(newRedis.client().smembers("rq:queues")).containsExactly("rq:queue:default");
        try (JobWorker worker = Rq.startWorker(newRedis.uri(), List.of("default"), List.of("tasks.add"), false)) {
            Map<String, JsonNode> runs = worker.awaitExecuted(JOBS, Duration.ofSeconds(120)).stream()
                    .map(RqMigrateIT::tree).collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
            for (Rq.Enqueued job : jobs) {
                assertThat(runs.get(job.id()).get("args").asText()).as(job.id()).isEqualTo(job.argsRepr());
                assertThat(runs.get(job.id()).get("kwargs").asText()).as(job.id()).isEqualTo(job.kwargsRepr());
            }
        }
        assertThat(newRedis.client().llen("rq:queue:default")).as("none left behind").isZero();
    }

    @Test
    void jobsOfPickleAndJsonQueuesMoveToAQueueOfRqsJsonSerializerWhoseWorkerRunsEveryOne() {
        String pickled = IntStream.range(0, 10).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i
                + ", \"p\"], \"kwargs\": {\"k\": [1, null]}}").collect(Collectors.joining(", "));
        String json = IntStream.range(0, 10).mapToObj(i -> "{\"func\": \"tasks.add\", \"queue\": \"jsonq\", "
                + "\"serializer\": \"json\", \"args\": [" + i + ", 2.5, \"caf\\u00e9\"]}").collect(Collectors.joining(", "));
        List<Rq.Enqueued> jobs = Rq.enqueue(oldRedis.uri(), "[" + pickled + ", " + json + "]");

        migrate("--from", "redisq:default?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:jsonq?format=rq&serializer=json&redisUri=" + newRedis.uri());
        migrate("--from", "redisq:jsonq?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:jsonq?format=rq&serializer=json&redisUri=" + newRedis.uri());

        assertThat(oldRedis.client().keys("rq:job:*")).isEmpty();
        assertThat(newRedis.client().llen("rq:queue:jsonq")).isEqualTo(20);
        // a worker of RQ's JSONSerializer cannot read a pickle: each job it runs was written as JSON
        try (JobWorker worker = Rq.startWorker(newRedis.uri(), List.of("jsonq"), List.of("tasks.add"), true)) {
            Map<String, JsonNode> runs = worker.awaitExecuted(20, Duration.ofSeconds(120)).stream()
                    .map(RqMigrateIT::tree).collect(Collectors.toMap(r -> r.get("id").asText(), r -> r));
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
            for (Rq.Enqueued job : jobs) {
                assertThat(runs.get(job.id()).get("args").asText()).as(job.id()).isEqualTo(job.argsRepr());
                assertThat(runs.get(job.id()).get("kwargs").asText()).as(job.id()).isEqualTo(job.kwargsRepr());
            }
        }
    }

    @Test
    void scheduledJobsMoveWithTheirDueTimesAndRqsSchedulerRunsThemWhenDueNotBefore() {
        long due = java.time.Instant.now().getEpochSecond() + 6;
        String specs = IntStream.range(0, 8).mapToObj(i -> "{\"func\": \"tasks.add\", \"args\": [" + i + "], \"at\": "
                + due + "}").collect(Collectors.joining(", ", "[", "]"));
        List<Rq.Enqueued> jobs = Rq.enqueue(oldRedis.uri(), specs);
        Map<String, Double> scores = new java.util.HashMap<>();
        jobs.forEach(j -> scores.put(j.id(), oldRedis.client().zscore("rq:scheduled:default", j.id())));

        Cli moved = migrate("--from", "redisq:default?format=rq&set=scheduled&redisUri=" + oldRedis.uri(),
                "--to", "redisq:default?format=rq&set=scheduled&redisUri=" + newRedis.uri());

        assertThat(moved.out()).contains("OK");
        assertThat(oldRedis.client().zcard("rq:scheduled:default")).isZero();
        assertThat(oldRedis.client().keys("rq:job:*")).isEmpty();
        jobs.forEach(j -> assertThat(newRedis.client().zscore("rq:scheduled:default", j.id())).as("the same due time")
                .isEqualTo(scores.get(j.id())));
        assertThat(newRedis.client().hget("rq:job:" + jobs.get(0).id(), "status")).isEqualTo("scheduled");
        assertThat(newRedis.client().smembers("rq:queues")).containsExactly("rq:queue:default");
        try (JobWorker worker = Rq.startWorker(newRedis.uri(), List.of("default"), List.of("tasks.add"), false, true)) {
            List<String> ran = worker.awaitExecuted(jobs.size(), Duration.ofSeconds(120));
            assertThat(java.time.Instant.now().getEpochSecond()).as("run when due").isGreaterThanOrEqualTo(due);
            assertThat(ran.stream().map(r -> tree(r).get("id").asText()).toList())
                    .containsExactlyInAnyOrderElementsOf(jobs.stream().map(Rq.Enqueued::id).toList());
        }
    }

    @Test
    void failedJobsMoveIntoTheOtherFailedRegistryDroppedAfterTheirFailureTtlAsRqDoes() {
        List<Rq.Enqueued> jobs = enqueue();
        // as RQ's FailedJobRegistry.add does for a job that failed: the id out of the queue, into rq:failed:<q> under
        // the time RQ drops it, the hash failed and expiring then
        long drop = java.time.Instant.now().getEpochSecond() + 86_400;
        for (Rq.Enqueued job : jobs.subList(0, 5)) {
            oldRedis.client().lrem("rq:queue:default", 1, job.id());
            oldRedis.client().hset("rq:job:" + job.id(), Map.of("status", "failed", "ended_at", "2026-12-08T01:00:00.000000Z",
                    "failure_ttl", "86400"));
            oldRedis.client().expire("rq:job:" + job.id(), 86_400);
            oldRedis.client().zadd("rq:failed:default", drop, job.id());
        }

        migrate("--from", "redisq:default?format=rq&set=dead&redisUri=" + oldRedis.uri(),
                "--to", "redisq:default?format=rq&set=dead&redisUri=" + newRedis.uri());

        assertThat(oldRedis.client().zcard("rq:failed:default")).isZero();
        assertThat(oldRedis.client().llen("rq:queue:default")).as("the queue's own jobs stay").isEqualTo(JOBS - 5);
        long moved = java.time.Instant.now().getEpochSecond();
        for (Rq.Enqueued job : jobs.subList(0, 5)) {
            // written as FailedJobRegistry.add writes: dropped failure_ttl after it entered this registry
            assertThat(newRedis.client().zscore("rq:failed:default", job.id())).isBetween(moved + 86_400 - 60.0, moved + 86_400 + 1.0);
            assertThat(newRedis.client().hget("rq:job:" + job.id(), "status")).isEqualTo("failed");
            assertThat(newRedis.client().ttl("rq:job:" + job.id())).as("dropped with its registry entry")
                    .isBetween(86_000L, 86_400L);
        }
        assertThat(newRedis.client().exists("rq:queue:default")).isFalse();
    }

    @Test
    void anIdWhoseHashExpiredIsDeadLetteredAtTheSourceAndTheOthersMove() {
        List<Rq.Enqueued> jobs = enqueue();
        oldRedis.client().del("rq:job:" + jobs.get(3).id()); // its ttl passed: RQ's own worker would skip the id

        Cli moved = migrate("--from", "redisq:default?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:default?format=rq&redisUri=" + newRedis.uri());

        assertThat(moved.out()).contains("unreadable and dead-lettered at the source 1", "OK");
        assertThat(newRedis.client().llen("rq:queue:default")).isEqualTo(JOBS - 1);
        assertThat(oldRedis.client().llen("rq:queue:default:dead")).isEqualTo(1);
        assertThat(oldRedis.client().lindex("rq:queue:default:dead", 0)).contains("is missing (expired or deleted)")
                .endsWith(jobs.get(3).id());
    }

    @Test
    void aCopyOfAnRqQueueWritesEveryJobAndLeavesTheSourceAsItWas() {
        List<Rq.Enqueued> jobs = enqueue();
        Map<String, Map<String, String>> before = new java.util.HashMap<>();
        jobs.forEach(j -> before.put(j.id(), oldRedis.client().hgetAll("rq:job:" + j.id())));

        Cli copy = migrate("--copy", "--from", "redisq:default?format=rq&redisUri=" + oldRedis.uri(),
                "--to", "redisq:default?format=rq&redisUri=" + newRedis.uri());

        assertThat(copy.out()).contains("OK");
        List<String> ids = jobs.stream().map(Rq.Enqueued::id).toList();
        assertThat(oldRedis.client().lrange("rq:queue:default", 0, -1)).containsExactlyElementsOf(ids);
        jobs.forEach(j -> assertThat(oldRedis.client().hgetAll("rq:job:" + j.id())).isEqualTo(before.get(j.id())));
        assertThat(newRedis.client().lrange("rq:queue:default", 0, -1)).as("in RQ's order").containsExactlyElementsOf(ids);
        try (JobWorker worker = Rq.startWorker(newRedis.uri(), List.of("default"), List.of("tasks.add"), false)) {
            assertThat(worker.awaitExecuted(JOBS, Duration.ofSeconds(120))).hasSize(JOBS);
        }
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
