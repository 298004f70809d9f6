package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.Celery;
import dev.qbridge.testkit.JobWorker;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.Sidekiq;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qbridge migrate} with the job systems' own software at both ends: their clients enqueue, qbridge moves the
 * jobs out as CloudEvents files and from there into another Redis (or another system), and their own workers run
 * every one there; nothing is left behind at the source.
 */
class JobSystemsMigrateIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static RedisServerExtension oldRedis = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension newRedis = RedisServerExtension.standalone();

    @BeforeAll
    static void systemsAreInstalled() {
        Sidekiq.requireInstalled();
        Celery.requireInstalled();
    }

    @BeforeEach
    void empty() {
        oldRedis.flushAll();
        newRedis.flushAll();
    }

    private static String from(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + oldRedis.uri() + options;
    }

    private static String to(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + newRedis.uri() + options;
    }

    private static Cli migrate(String... args) {
        List<String> all = new ArrayList<>(List.of("migrate", "--progress", "lines"));
        all.addAll(List.of(args));
        Cli result = Cli.run(all.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isZero();
        return result;
    }

    @Test
    void sidekiqJobsGoToFilesAsCloudEventsAndFromThereToAnotherRedisWhereSidekiqRunsEveryOne(@TempDir Path dir)
            throws Exception {
        List<String> specs = new ArrayList<>();
        IntStream.range(0, 30).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [" + i + ", \"s" + i + "\"]}"));
        IntStream.range(0, 5).forEach(i -> specs.add("{\"class\": \"AddWorker\", \"args\": [\"later" + i + "\"], \"in\": 3}"));
        List<String> jids = Sidekiq.enqueue(oldRedis.uri(), "[" + String.join(", ", specs) + "]");
        Path ready = dir.resolve("ready");
        Path scheduled = dir.resolve("scheduled");

        migrate("--from", from("default", "&format=sidekiq"), "--to", "file:" + ready);
        migrate("--from", from("default", "&format=sidekiq&set=scheduled"), "--to", "file:" + scheduled);

        List<JsonNode> events = read(ready);
        assertThat(events).hasSize(30).allSatisfy(e -> {
            assertThat(e.get("specversion").asText()).isEqualTo("1.0");
            assertThat(e.get("type").asText()).isEqualTo("AddWorker");
        });
        assertThat(read(scheduled)).hasSize(5);
        assertThat(oldRedis.client().llen("queue:default")).isZero();
        assertThat(oldRedis.client().zcard("schedule")).as("the scheduled jobs moved too").isZero();

        migrate("--from", "file:" + ready, "--to", to("default", "&format=sidekiq"), "--idle-timeout", "2s");
        migrate("--from", "file:" + scheduled, "--to", to("default", "&format=sidekiq&set=scheduled"),
                "--idle-timeout", "2s");

        assertThat(Sidekiq.api(newRedis.uri(), "Sidekiq::Queue.new('default').size")).isEqualTo("30");
        assertThat(Sidekiq.api(newRedis.uri(), "Sidekiq::ScheduledSet.new.map(&:jid).sort"))
                .isEqualTo(JSON.writeValueAsString(jids.subList(30, 35).stream().sorted().toList()));
        try (JobWorker worker = Sidekiq.startWorker(newRedis.uri(), List.of("default"), List.of("AddWorker"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(jids.size(), Duration.ofSeconds(60)).stream()
                    .map(JobSystemsMigrateIT::tree).collect(Collectors.toMap(r -> r.get("jid").asText(), r -> r));
            assertThat(runs.keySet()).containsExactlyInAnyOrderElementsOf(jids);
            assertThat(runs.get(jids.get(7)).get("args")).isEqualTo(tree("[7, \"s7\"]"));
        }
    }

    @Test
    void aSidekiqRedisMovesToAnotherWithEveryJobKeptAndRunThere() throws Exception {
        List<String> jids = Sidekiq.enqueue(oldRedis.uri(), "["
                + "{\"class\": \"AddWorker\", \"args\": [1, 2]},"
                + "{\"class\": \"AddWorker\", \"args\": [3], \"queue\": \"critical\", \"retry\": 3},"
                + "{\"class\": \"AddWorker\", \"args\": [4], \"in\": 2}]");

        migrate("--from", from("default", "&format=sidekiq"), "--to", to("default", "&format=sidekiq"));
        migrate("--from", from("critical", "&format=sidekiq"), "--to", to("critical", "&format=sidekiq"));
        migrate("--from", from("default", "&format=sidekiq&set=scheduled"),
                "--to", to("default", "&format=sidekiq&set=scheduled"));

        Cli list = Cli.run("queues", "--redis", newRedis.uri(), "list");
        assertThat(list.out()).containsPattern("critical\\s+sidekiq\\s+ready\\s+1").containsPattern("default\\s+sidekiq\\s+ready\\s+1")
                .contains("sidekiq's sorted sets, each shared by every queue (ZCARD, all queues' jobs): schedule 1 job");
        assertThat(Sidekiq.api(newRedis.uri(), "Sidekiq::Queue.new('critical').first.item['retry']")).isEqualTo("3");
        try (JobWorker worker = Sidekiq.startWorker(newRedis.uri(), List.of("default", "critical"), List.of("AddWorker"))) {
            List<String> ran = worker.awaitExecuted(3, Duration.ofSeconds(60)).stream()
                    .map(r -> tree(r).get("jid").asText()).toList();
            assertThat(ran).containsExactlyInAnyOrderElementsOf(jids);
        }
    }

    @Test
    void aCopyOfASidekiqSetCopiesOnlyTheQueuesOwnJobsAndLeavesTheSetAsItWas() throws Exception {
        // critical's jobs are due first: a copy that took the set's first members would copy theirs
        List<String> jids = Sidekiq.enqueue(oldRedis.uri(), "["
                + "{\"class\": \"AddWorker\", \"args\": [\"c0\"], \"queue\": \"critical\", \"in\": 300},"
                + "{\"class\": \"AddWorker\", \"args\": [\"c1\"], \"queue\": \"critical\", \"in\": 301},"
                + "{\"class\": \"AddWorker\", \"args\": [\"d0\"], \"in\": 600},"
                + "{\"class\": \"AddWorker\", \"args\": [\"d1\"], \"in\": 601}]");

        Cli copied = migrate("--copy", "--batch-size", "1", "--from", from("default", "&format=sidekiq&set=scheduled"),
                "--to", to("default", "&format=sidekiq&set=scheduled"));

        assertThat(copied.out()).contains("OK");
        assertThat(Sidekiq.api(newRedis.uri(), "Sidekiq::ScheduledSet.new.map(&:jid).sort"))
                .isEqualTo(JSON.writeValueAsString(jids.subList(2, 4).stream().sorted().toList()));
        assertThat(oldRedis.client().zcard("schedule")).as("a copy takes nothing").isEqualTo(4);
    }

    @Test
    void aCopyOfACeleryQueueCopiesItsPriorityListsToo() {
        List<String> ids = Celery.enqueue(oldRedis.uri(), "["
                + "{\"task\": \"tasks.add\", \"args\": [1, 2]},"
                + "{\"task\": \"tasks.add\", \"args\": [3, 4], \"priority\": 6}]");

        Cli copied = migrate("--copy", "--from", from("celery", "&format=celery"), "--to", to("celery", "&format=celery"));

        assertThat(copied.out()).contains("OK");
        assertThat(newRedis.client().llen("celery")).isEqualTo(1);
        assertThat(newRedis.client().lrange("celery\u0006\u00166", 0, -1)).singleElement().asString().contains(ids.get(1));
        assertThat(oldRedis.client().llen("celery") + oldRedis.client().llen("celery\u0006\u00166")).isEqualTo(2);
    }

    @Test
    void aJobSidekiqCannotReadIsDeadLetteredAtTheSourceWithTheReasonAndTheOthersMove() throws Exception {
        List<String> jids = Sidekiq.enqueue(oldRedis.uri(), "[{\"class\": \"AddWorker\", \"args\": [1]}]");
        oldRedis.client().lpush("queue:default", "not a sidekiq job"); // a guide-style producer wrote to the wrong key

        Cli moved = migrate("--from", from("default", "&format=sidekiq"), "--to", to("default", "&format=sidekiq"));

        assertThat(moved.out()).contains("unreadable and dead-lettered at the source 1", "OK");
        assertThat(newRedis.client().llen("queue:default")).isEqualTo(1);
        assertThat(newRedis.client().lindex("queue:default", 0)).contains(jids.get(0));
        Cli dead = Cli.run("queues", "--redis", oldRedis.uri(), "peek", "--dead", "--format", "sidekiq", "default");
        assertThat(dead.out()).as(dead.toString()).contains("not a sidekiq job", "is not JSON");
    }

    @Test
    void celeryTasksMoveToSidekiqUnderTheirMappedNamesAndSidekiqRunsThem() throws Exception {
        List<String> ids = Celery.enqueue(oldRedis.uri(), "["
                + "{\"task\": \"tasks.add\", \"args\": [1, 2]},"
                + "{\"task\": \"tasks.add\", \"args\": [3, 4], \"priority\": 6},"
                + "{\"task\": \"tasks.mail\", \"args\": [\"a@b\"]}]");

        Cli moved = migrate("--from", from("celery", "&format=celery"),
                "--to", to("default", "&format=sidekiq&taskMap=tasks.add:AddWorker,tasks.mail:MailWorker"));

        assertThat(moved.out()).contains("OK");
        assertThat(oldRedis.client().llen("celery") + oldRedis.client().llen("celery\u0006\u00166")).isZero();
        try (JobWorker worker = Sidekiq.startWorker(newRedis.uri(), List.of("default"), List.of("AddWorker", "MailWorker"))) {
            Map<String, JsonNode> runs = worker.awaitExecuted(ids.size(), Duration.ofSeconds(60)).stream()
                    .map(JobSystemsMigrateIT::tree).collect(Collectors.toMap(r -> r.get("jid").asText(), r -> r));
            assertThat(runs.keySet()).as("the jid is Celery's task id").containsExactlyInAnyOrderElementsOf(ids);
            assertThat(runs.get(ids.get(2)).get("class").asText()).isEqualTo("MailWorker");
        }
    }

    @Test
    void sidekiqJobsMoveToCeleryAndACeleryWorkerRunsThem() throws Exception {
        List<String> jids = Sidekiq.enqueue(oldRedis.uri(), "["
                + "{\"class\": \"AddWorker\", \"args\": [1, 2]}, {\"class\": \"AddWorker\", \"args\": [5, 6]}]");

        migrate("--from", from("default", "&format=sidekiq"), "--to", to("celery", "&format=celery&taskMap=AddWorker:tasks.add"));

        try (JobWorker worker = Celery.startWorker(newRedis.uri(), List.of("celery"), List.of("tasks.add"))) {
            List<JsonNode> runs = worker.awaitExecuted(2, Duration.ofSeconds(60)).stream()
                    .map(JobSystemsMigrateIT::tree).toList();
            assertThat(runs).extracting(r -> r.get("id").asText()).containsExactlyInAnyOrderElementsOf(jids);
            assertThat(runs).extracting(r -> r.get("args").toString()).containsExactlyInAnyOrder("[1,2]", "[5,6]");
        }
    }

    private static List<JsonNode> read(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(Files::isRegularFile).map(f -> {
                try {
                    return JSON.readTree(Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).toList();
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
