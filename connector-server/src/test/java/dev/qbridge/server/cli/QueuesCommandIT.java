package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.Cli;
import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.JavaProcess;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class QueuesCommandIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    private RedisConnection connection;

    @BeforeEach
    void connect() {
        redis.flushAll();
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void close() {
        connection.close();
    }

    private RedisQueue queue(String name, QueueKind kind) {
        return new RedisQueue(connection, QueueConfig.builder(name).kind(kind).leaseTimeout(Duration.ofMillis(200)).build());
    }

    private Cli queues(String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "queues";
        all[1] = "--redis";
        all[2] = redis.uri();
        System.arraycopy(args, 0, all, 3, args.length);
        return Cli.run(all);
    }

    @Test
    void listShowsEveryQueueWithItsKindAndCounts() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b"), bytes("c")));
        orders.take(1);
        queue("urgent", QueueKind.PRIORITY).pushJobs(List.of(NewJob.of("x").withPriority(1), NewJob.of("y").withPriority(5)));
        queue("later", QueueKind.DELAYED).pushJobs(List.of(NewJob.of("z").withDelay(Duration.ofHours(1))));

        Cli result = queues("list");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("QUEUE\\s+FORMAT\\s+KIND\\s+READY\\s+IN-FLIGHT\\s+DELAYED\\s+RETRYING\\s+DEAD");
        assertThat(result.out()).containsPattern("orders\\s+raw\\s+reliable\\s+2\\s+1\\s+0\\s+0\\s+0");
        assertThat(result.out()).containsPattern("urgent\\s+raw\\s+priority\\s+2\\s+0\\s+0");
        assertThat(result.out()).containsPattern("later\\s+raw\\s+delayed\\s+0\\s+0\\s+1");
        assertThat(result.out()).doesNotContain("orders:leases", "orders:seq");
    }

    @Test
    void theReapedListIsCountedAsRetryingAndNotListedAsAQueueOfItsOwn() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b")));
        redis.client().rpush("orders:reaped", "7:1::c"); // as the reaper leaves an expired lease

        Cli result = queues("list");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).containsPattern("orders\\s+raw\\s+reliable\\s+2\\s+0\\s+0\\s+1\\s+0");
        assertThat(result.out()).doesNotContain("orders:reaped");
    }

    @Test
    void statsShowsCountsAndNewestDeadLetterReasons() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b")));
        orders.deadLetter(orders.take(1).get(0), "sink rejected it");

        Cli result = queues("stats", "orders");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("ready:      1", "dead:       1", "sink rejected it");
    }

    @Test
    void peekShowsTheNextJobsWithoutTakingThem() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("first"), bytes("second"), bytes("third")));

        Cli result = queues("peek", "orders", "-n", "2");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).isEqualTo("first\nsecond\n");
        assertThat(orders.counts().ready()).isEqualTo(3);
    }

    @Test
    void requeueDeadPutsDeadLettersBackAndTheyAreTakenAgain() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b")));
        orders.deadLetter(orders.take(2), "poison");
        assertThat(orders.counts().dead()).isEqualTo(2);

        Cli result = queues("requeue-dead", "orders");

        assertThat(result.out()).as(result.toString()).contains("requeued 2 dead letters of orders; 0 left");
        QueueCounts counts = orders.counts();
        assertThat(counts.ready()).isEqualTo(2);
        assertThat(counts.dead()).isZero();
        assertThat(orders.take(10)).extracting(Delivery::payloadAsString).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void requeueDeadKeepsTheScoreOfPriorityJobs() {
        RedisQueue urgent = queue("urgent", QueueKind.PRIORITY);
        urgent.pushJobs(List.of(NewJob.of("low").withPriority(9), NewJob.of("high").withPriority(1)));
        urgent.deadLetter(urgent.take(2), "poison");

        queues("requeue-dead", "urgent", "--kind", "priority");

        assertThat(urgent.take(1)).extracting(Delivery::payloadAsString).containsExactly("high");
    }

    @Test
    void requeueStuckRequeuesExpiredLeasesAndJobsStuckInTheGuideProcessingList() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(bytes("leased"));
        assertThat(orders.take(1)).hasSize(1); // a consumer takes it and dies: its lease expires after 200 ms
        connection.lpush(bytes("orders:processing"), List.of(bytes("guide-job"))); // a foreign BRPOPLPUSH consumer died

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            queues("requeue-stuck", "orders", "--older-than", "100ms", "--wait");
            QueueCounts counts = orders.counts();
            assertThat(counts.inFlight()).isZero();
            assertThat(counts.guideProcessing()).isZero();
        });
        assertThat(orders.take(10)).extracting(Delivery::payloadAsString).containsExactlyInAnyOrder("leased", "guide-job");
    }

    @Test
    void purgeWithYesDeletesEveryJobOfTheQueueAndNothingElse() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b")));
        orders.deadLetter(orders.take(1).get(0), "x");
        queue("other", QueueKind.RELIABLE).push(bytes("keep"));

        Cli result = queues("purge", "orders", "--yes");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("purged queue orders: 2 jobs");
        assertThat(connection.scanKeys("orders*", 100)).as("only the id counter is kept").containsExactly("orders:seq");
        assertThat(queue("other", QueueKind.RELIABLE).counts().ready()).isEqualTo(1);
    }

    @Test
    void purgeKeepsTheIdCounterSoThatNoJobIdIsEverGivenOutTwice() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(List.of(bytes("a"), bytes("b")));
        long highest = orders.take(2).stream().mapToLong(Delivery::id).max().orElseThrow();

        Cli result = queues("purge", "orders", "--yes");

        assertThat(result.out()).as(result.toString()).contains("the id counter orders:seq is kept");
        orders.push(bytes("c"));
        assertThat(orders.take(1).get(0).id()).as("a zombie's late ack of an old id can never match a new job")
                .isGreaterThan(highest);
        assertThat(Cli.run("queues", "purge", "--help").out()).contains("id counter");
    }

    @Test
    void purgeWithoutYesAsksAndAnAnswerOtherThanYesKeepsTheQueue() {
        queue("orders", QueueKind.RELIABLE).push(bytes("a"));

        try (JavaProcess cli = JavaProcess.start(Qbridge.class, "queues", "--redis", redis.uri(), "purge", "orders")) {
            assertThat(cli.waitForExit(Duration.ofSeconds(30))).isEqualTo(1); // stdin is empty: no confirmation
            assertThat(String.join("\n", cli.outputLines())).contains("Type 'yes' to confirm", "not purged");
        }
        assertThat(queue("orders", QueueKind.RELIABLE).counts().ready()).isEqualTo(1);
    }

    @Test
    void aQueueThatDoesNotExistIsReportedAsSuchByEveryCommandOnOneQueue() {
        queue("orders", QueueKind.RELIABLE).push(bytes("a"));
        List<List<String>> commands = List.of(List.of("stats", "ordres"), List.of("peek", "ordres"),
                List.of("requeue-dead", "ordres"), List.of("requeue-stuck", "ordres", "--older-than", "1s"),
                List.of("purge", "ordres", "--yes"));
        for (List<String> command : commands) {
            Cli result = queues(command.toArray(String[]::new));

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.err()).as(String.join(" ", command)).contains("queue ordres does not exist on redis://",
                    "no key ordres or ordres:*", "qbridge queues list");
        }
        assertThat(connection.scanKeys("ordres*", 100)).as("looking created nothing").isEmpty();
    }

    @Test
    void peekOfAnEmptyQueueSaysSoAndACountBelowOneIsAUsageError() {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(bytes("a"));
        orders.ack(orders.take(1));

        Cli empty = queues("peek", "orders");
        Cli zero = queues("peek", "orders", "-n", "0");

        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.err()).contains("queue orders has no job ready");
        assertThat(zero.exitCode()).as(zero.toString()).isEqualTo(2);
        assertThat(zero.err()).contains("--count must be at least 1");
    }

    @Test
    void listExitsOneWhenAQueueCannotBeRead() {
        queue("orders", QueueKind.RELIABLE).push(bytes("a"));
        redis.client().set("broken:dead", "x"); // an application's own key where the queue's dead letters belong
        redis.client().lpush("broken", "b");

        Cli result = queues("list");

        assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
        assertThat(result.out()).containsPattern("orders\\s+raw\\s+reliable\\s+1").contains("broken", "WRONGTYPE key broken:dead");
        assertThat(result.err()).contains("1 queue could not be read");
    }

    @Test
    void unreachableRedisIsReportedWithoutItsPassword() {
        Cli result = Cli.run("queues", "--redis", "redis://:s3cret@127.0.0.1:1?timeout=300", "list");

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.err()).contains("cannot reach Redis", "--redis").doesNotContain("s3cret");
    }

    @Test
    void helpOfEverySubcommandExplainsIt() {
        for (String sub : List.of("list", "stats", "peek", "requeue-dead", "requeue-stuck", "purge")) {
            Cli result = Cli.run("queues", sub, "--help");
            assertThat(result.exitCode()).isZero();
            assertThat(result.out()).contains("Usage: qbridge queues " + sub);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
