package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code qbridge queues} on the jobs the job systems' own clients and workers wrote: {@code --format} names the queue as
 * its system does and {@code --set} picks which of its sets; a Sidekiq set shared by every queue ({@code schedule},
 * {@code retry}, {@code dead}) is seen through one queue's jobs only.
 */
class QueuesJobSystemsIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @BeforeAll
    static void systemsAreInstalled() {
        Sidekiq.requireInstalled();
        Celery.requireInstalled();
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

    /** Jobs scheduled by Sidekiq's client: two of critical due first, then three of default. */
    private record Scheduled(List<String> critical, List<String> defaults, String readyDefault, String readyCritical) {
        static Scheduled enqueue() {
            List<String> jids = Sidekiq.enqueue(redis.uri(), "["
                    + "{\"class\": \"AddWorker\", \"args\": [\"c0\"], \"queue\": \"critical\", \"in\": 300},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"c1\"], \"queue\": \"critical\", \"in\": 301},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"d0\"], \"in\": 600},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"d1\"], \"in\": 601},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"d2\"], \"in\": 602},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"now\"]},"
                    + "{\"class\": \"AddWorker\", \"args\": [\"now\"], \"queue\": \"critical\"}]");
            return new Scheduled(jids.subList(0, 2), jids.subList(2, 5), jids.get(5), jids.get(6));
        }
    }

    @Test
    void peekAndStatsOfSidekiqsScheduledSetShowOnlyTheQueuesOwnJobs() {
        Scheduled jobs = Scheduled.enqueue();

        Cli peek = queues("peek", "default", "--format", "sidekiq", "--set", "scheduled");
        Cli first = queues("peek", "default", "--format", "sidekiq", "--set", "scheduled", "-n", "1");
        Cli critical = queues("peek", "critical", "--format", "sidekiq", "--set", "scheduled");

        assertThat(peek.out().lines()).hasSize(3).allSatisfy(line -> assertThat(line).startsWith("[due 20"));
        assertThat(peek.out()).contains(jobs.defaults()).doesNotContain(jobs.critical());
        assertThat(first.out().lines().toList()).as("the earliest due of default's").singleElement().asString()
                .contains(jobs.defaults().get(0));
        assertThat(critical.out()).contains(jobs.critical()).doesNotContain(jobs.defaults());
        assertThat(queues("stats", "default", "--format", "sidekiq", "--set", "scheduled").out())
                .containsPattern("ready:\\s+3\\b").contains("schedule");
        assertThat(queues("stats", "critical", "--format", "sidekiq", "--set", "scheduled").out())
                .containsPattern("ready:\\s+2\\b");
        assertThat(queues("peek", "default", "--format", "sidekiq").out()).as("the ready set: queue:default")
                .contains(jobs.readyDefault()).doesNotContain(jobs.readyCritical());
    }

    @Test
    void aSidekiqQueueWithNoJobInASetHasNoneThereAndAQueueSidekiqDoesNotKnowDoesNotExist() {
        Scheduled.enqueue();
        redis.client().del("queue:critical"); // Sidekiq deletes an emptied list; its queues set still names the queue

        Cli noRetry = queues("peek", "default", "--format", "sidekiq", "--set", "retry");
        Cli noneReady = queues("stats", "critical", "--format", "sidekiq");
        Cli typo = Cli.run("queues", "--redis", redis.uri(), "peek", "defualt", "--format", "sidekiq", "--set", "scheduled");

        assertThat(noRetry.out()).isEmpty();
        assertThat(noRetry.err()).contains("queue default has no job in retry (0 in flight, 0 retrying, 0 dead)");
        assertThat(noneReady.out()).containsPattern("ready:\\s+0\\b");
        assertThat(typo.exitCode()).as(typo.toString()).isEqualTo(1);
        assertThat(typo.err()).contains("queue defualt does not exist", "no job of queue defualt in schedule",
                "no key schedule:defualt:*");
    }

    @Test
    void purgeOfASidekiqSetRemovesOnlyTheQueuesOwnJobs() throws Exception {
        Scheduled jobs = Scheduled.enqueue();

        Cli purged = queues("purge", "default", "--format", "sidekiq", "--set", "scheduled", "--yes");

        assertThat(purged.out()).contains("purged queue default", "3 jobs");
        assertThat(redis.client().zcard("schedule")).isEqualTo(2);
        assertThat(Sidekiq.api(redis.uri(), "Sidekiq::ScheduledSet.new.map(&:jid).sort"))
                .isEqualTo(JSON.writeValueAsString(jobs.critical().stream().sorted().toList()));
        assertThat(redis.client().llen("queue:default")).as("the ready set untouched").isEqualTo(1);
    }

    @Test
    void retryAndDeadSetsAreReadPerQueueAsSidekiqFilledThem() {
        List<String> jids = Sidekiq.enqueue(redis.uri(), "["
                + "{\"class\": \"FlakyWorker\", \"args\": [\"d-retry\"], \"retry\": 3},"
                + "{\"class\": \"FlakyWorker\", \"args\": [\"c-retry\"], \"retry\": 3, \"queue\": \"critical\"},"
                + "{\"class\": \"FlakyWorker\", \"args\": [\"d-dead\"], \"retry\": 0},"
                + "{\"class\": \"FlakyWorker\", \"args\": [\"c-dead\"], \"retry\": 0, \"queue\": \"critical\"}]");
        try (JobWorker failing = Sidekiq.startWorker(redis.uri(), List.of("default", "critical"), List.of(),
                List.of("FlakyWorker"))) {
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    redis.client().zcard("retry") == 2 && redis.client().zcard("dead") == 2);
        }

        Cli retryDefault = queues("peek", "default", "--format", "sidekiq", "--set", "retry");
        Cli retryCritical = queues("peek", "critical", "--format", "sidekiq", "--set", "retry");
        Cli deadDefault = queues("peek", "default", "--format", "sidekiq", "--set", "dead");
        Cli deadCritical = queues("peek", "critical", "--format", "sidekiq", "--set", "dead");

        assertThat(retryDefault.out().lines().toList()).singleElement().asString().contains(jids.get(0));
        assertThat(retryCritical.out().lines().toList()).singleElement().asString().contains(jids.get(1));
        assertThat(deadDefault.out().lines().toList()).singleElement().asString().contains(jids.get(2));
        assertThat(deadCritical.out().lines().toList()).singleElement().asString().contains(jids.get(3));
        assertThat(queues("stats", "critical", "--format", "sidekiq", "--set", "dead").out()).containsPattern("ready:\\s+1\\b");
    }

    @Test
    void listCountsSidekiqsSharedSetsWholeAndShowsAQueuesShareWhileQbridgeHoldsSomeOfIt() {
        Scheduled.enqueue();

        Cli before = queues("list");
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue scheduled = new RedisQueue(connection,
                    new SystemQueue(JobFormat.SIDEKIQ, "default", JobSet.SCHEDULED).config().build());
            assertThat(scheduled.take(1)).hasSize(1); // a move under way: one job of default's in flight
        }
        Cli during = queues("list");

        assertThat(before.out()).containsPattern("default\\s+sidekiq\\s+ready\\s+1\\b")
                .containsPattern("critical\\s+sidekiq\\s+ready\\s+1\\b")
                .contains("shared by every queue", "schedule 5 jobs")
                .doesNotContainPattern("default\\s+sidekiq\\s+scheduled");
        assertThat(during.out()).as(during.toString())
                .containsPattern("default\\s+sidekiq\\s+scheduled\\s+2\\s+1\\b")
                .contains("schedule 4 jobs")
                .doesNotContain("schedule:default");
    }

    @Test
    void peekOfACeleryQueueShowsItsPriorityListsInTakeOrder() {
        Celery.enqueue(redis.uri(), "["
                + "{\"task\": \"tasks.add\", \"args\": [1, 1]},"
                + "{\"task\": \"tasks.add\", \"args\": [6, 6], \"priority\": 6},"
                + "{\"task\": \"tasks.add\", \"args\": [2, 2]}]");
        // take order: the queue's own list from its tail, then the priority list of step 6
        List<String> expected = new ArrayList<>();
        for (String list : List.of("celery", "celery\u0006\u00166")) {
            List<String> members = new ArrayList<>(redis.client().lrange(list, 0, -1));
            Collections.reverse(members);
            members.forEach(m -> expected.add(QueuesCommand.preview(bytes(m))));
        }

        Cli peek = queues("peek", "celery", "--format", "celery");

        assertThat(expected).hasSize(3);
        assertThat(peek.out().lines()).containsExactlyElementsOf(expected);
        assertThat(queues("stats", "celery", "--format", "celery").out()).containsPattern("ready:\\s+3\\b");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
