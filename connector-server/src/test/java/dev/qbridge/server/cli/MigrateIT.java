package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class MigrateIT {

    @RegisterExtension
    static RedisServerExtension oldRedis = RedisServerExtension.standalone();

    @RegisterExtension
    static RedisServerExtension newRedis = RedisServerExtension.standalone();

    private RedisConnection oldConnection;
    private RedisConnection newConnection;

    @BeforeEach
    void connect() {
        oldRedis.flushAll();
        newRedis.flushAll();
        oldConnection = JedisConnection.open(RedisEndpoint.parse(oldRedis.uri()));
        newConnection = JedisConnection.open(RedisEndpoint.parse(newRedis.uri()));
    }

    @AfterEach
    void close() {
        oldConnection.close();
        newConnection.close();
    }

    private static RedisQueue queue(RedisConnection redis, String name, QueueKind kind) {
        return new RedisQueue(redis, QueueConfig.builder(name).kind(kind).build());
    }

    private static void pushJobs(RedisQueue queue, int count) {
        List<byte[]> jobs = new ArrayList<>(count);
        IntStream.rangeClosed(1, count).forEach(i -> jobs.add(("job-" + i).getBytes(StandardCharsets.UTF_8)));
        queue.push(jobs);
    }

    private static List<String> list(RedisConnection redis, String key) {
        return redis.lrange(key.getBytes(StandardCharsets.UTF_8), 0, -1).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private String src(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + oldRedis.uri() + options;
    }

    private String dst(String queue, String options) {
        return "redisq:" + queue + "?redisUri=" + newRedis.uri() + options;
    }

    @Test
    void moveToAnotherRedisTakesEveryJobAndVerifiesTheCounts() {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 5000);

        Cli result = Cli.run("migrate", "--from", src("orders", ""), "--to", dst("orders", ""), "--progress", "lines");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("verify: source before 5,000, after 0; written to destination 5,000; moved", "OK");
        assertThat(result.out()).contains("migrate: 5,000 of 5,000 jobs written (100%)");
        // same order as consumers would have taken them at the source
        List<String> moved = new ArrayList<>(list(newConnection, "orders"));
        java.util.Collections.reverse(moved);
        assertThat(moved).containsExactlyElementsOf(IntStream.rangeClosed(1, 5000).mapToObj(i -> "job-" + i).toList());
        assertThat(queue(oldConnection, "orders", QueueKind.RELIABLE).counts().total()).isZero();
    }

    @Test
    void moveBetweenQueueKindsKeepsPriorities() {
        RedisQueue urgent = queue(oldConnection, "urgent", QueueKind.PRIORITY);
        urgent.pushJobs(List.of(NewJob.of("low").withPriority(9), NewJob.of("high").withPriority(1),
                NewJob.of("mid").withPriority(5)));

        Cli result = Cli.run("migrate", "--from", src("urgent", "&kind=priority"), "--to", dst("urgent", "&kind=priority"));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(queue(newConnection, "urgent", QueueKind.PRIORITY).take(3)).extracting(Delivery::payloadAsString)
                .containsExactly("high", "mid", "low");
    }

    @Test
    void copyWithLimitLeavesTheSourceAsItWas() {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 1000);

        Cli result = Cli.run("migrate", "--copy", "--limit", "100", "--from", src("orders", ""), "--to", dst("sample", ""));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("verify: source before 1,000, after 1,000; written to destination 100; copied", "OK");
        assertThat(list(newConnection, "sample")).hasSize(100).contains("job-1", "job-100").doesNotContain("job-101");
        assertThat(queue(oldConnection, "orders", QueueKind.RELIABLE).counts().ready()).isEqualTo(1000);
    }

    @Test
    void dryRunChecksBothEndpointsAndWritesNothing() {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 10);

        Cli result = Cli.run("migrate", "--dry-run", "--from", src("orders", ""), "--to", dst("orders", ""));

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("move 10 jobs", "--to: reached Redis at " + newRedis.uri()
                + ": reliable queue orders holds 0 ready", "dry run: nothing taken or written");
        assertThat(queue(oldConnection, "orders", QueueKind.RELIABLE).counts().ready()).isEqualTo(10);
        assertThat(list(newConnection, "orders")).isEmpty();

        Cli bad = Cli.run("migrate", "--dry-run", "--from", src("orders", ""), "--to", "nosuch:thing");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--to nosuch:thing");
    }

    @Test
    void moveToFilesWritesEveryJob(@TempDir Path dir) throws Exception {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 300);

        Cli result = Cli.run("migrate", "--from", src("orders", ""), "--to",
                "file:" + dir + "?fileName=jobs.txt&fileExist=Append&appendChars=%0A");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(Files.readAllLines(dir.resolve("jobs.txt")))
                .containsExactlyElementsOf(IntStream.rangeClosed(1, 300).mapToObj(i -> "job-" + i).toList());
    }

    @Test
    void moveFromFilesTakesEachFileAsAJob(@TempDir Path dir) throws Exception {
        for (int i = 1; i <= 3; i++) {
            Files.writeString(dir.resolve("job-" + i + ".json"), "{\"file\":" + i + "}");
        }

        Cli result = Cli.run("migrate", "--from", "file:" + dir, "--to", dst("from-files", ""), "--idle-timeout", "2s");

        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out()).contains("verify: read from source 3; written to destination 3", "OK");
        assertThat(list(newConnection, "from-files")).containsExactlyInAnyOrder("{\"file\":1}", "{\"file\":2}", "{\"file\":3}");
    }

    @Test
    void aRefusalStopsTheMoveNacksTheRefusedJobAndReleasesTheUntriedOnes() throws Exception {
        List<String> posted = java.util.Collections.synchronizedList(new ArrayList<>());
        com.sun.net.httpserver.HttpServer peer = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 4);
        peer.createContext("/in", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            boolean refuse = body.equals("job-8");
            if (!refuse) {
                posted.add(body);
            }
            ex.sendResponseHeaders(refuse ? 503 : 204, -1);
            ex.close();
        });
        peer.start();
        try {
            pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 10);

            Cli result = Cli.run("migrate", "--from", src("orders", ""), "--to",
                    "http://127.0.0.1:" + peer.getAddress().getPort() + "/in", "--batch-size", "5");

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(1);
            assertThat(result.err()).contains("migration stopped after 7 jobs", "refused job 8", "was nacked",
                    "retried after the queue's backoff (attempt 1 of 5)", "the 2 jobs after it were released unwritten",
                    "run the same command again");
            assertThat(posted).containsExactly("job-1", "job-2", "job-3", "job-4", "job-5", "job-6", "job-7");
            SourceJobs source = SourceJobs.of(oldConnection, "orders");
            assertThat(source.inFlight()).isEmpty();
            assertThat(source.dead()).isEmpty();
            assertThat(source.waiting()).as("the refused job and those after it stay at the source")
                    .containsExactlyInAnyOrder("job-8", "job-9", "job-10");
        } finally {
            peer.stop(0);
        }
    }

    @Test
    void anotherProducerDuringAMoveIsCaughtByTheVerificationWhichExitsWithThree() throws Exception {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 100);
        try (SlowHttpServer http = SlowHttpServer.start(Duration.ofMillis(10))) {
            CompletableFuture<Cli> move = CompletableFuture.supplyAsync(() -> Cli.run("migrate", "--from", src("orders", ""),
                    "--to", http.url(), "--batch-size", "10", "--progress", "none"));
            await().atMost(Duration.ofSeconds(30)).until(() -> http.posted().size() >= 5);
            List<byte[]> late = new ArrayList<>();
            IntStream.rangeClosed(1, 20).forEach(i -> late.add(("late-" + i).getBytes(StandardCharsets.UTF_8)));
            queue(oldConnection, "orders", QueueKind.RELIABLE).push(late); // another producer, during the move

            Cli result = move.get(60, TimeUnit.SECONDS);

            assertThat(result.exitCode()).as(result.toString()).isEqualTo(3);
            assertThat(result.out()).contains("verify: source before 100, after 0; written to destination 120; moved",
                    "MISMATCH (source shrank by 100; other producers or consumers were active?)");
            List<String> expected = new ArrayList<>(IntStream.rangeClosed(1, 100).mapToObj(i -> "job-" + i).toList());
            IntStream.rangeClosed(1, 20).forEach(i -> expected.add("late-" + i));
            assertThat(http.posted()).as("the counts disagree, the jobs do not: each arrived once")
                    .containsExactlyInAnyOrderElementsOf(expected);
        }
    }

    @Test
    void aMissingOrEmptySourceQueueHasNothingToMove() {
        Cli missing = Cli.run("migrate", "--from", src("nosuch", ""), "--to", dst("nosuch", ""));

        assertThat(missing.exitCode()).as(missing.toString()).isZero();
        assertThat(missing.out()).contains("nothing to move", "queue nosuch does not exist on").doesNotContain("verify:");

        RedisQueue drained = queue(oldConnection, "drained", QueueKind.RELIABLE);
        drained.push(bytes("done"));
        drained.ack(drained.take(1));
        Cli empty = Cli.run("migrate", "--from", src("drained", ""), "--to", dst("drained", ""), "--dry-run");

        assertThat(empty.exitCode()).as(empty.toString()).isZero();
        assertThat(empty.out()).contains("nothing to move", "queue drained on", "0 ready, 0 retrying, 0 in flight");
        assertThat(list(newConnection, "drained")).isEmpty();
    }

    @Test
    void priorityJobsWithInfiniteScoresMoveToTheEndsOfThePriorityRange() {
        oldRedis.client().eval("redis.call('ZADD', KEYS[1], '-inf', 'first', 5, 'middle', '+inf', 'last')", 1, "urgent");

        Cli copy = Cli.run("migrate", "--copy", "--from", src("urgent", "&kind=priority"), "--to",
                dst("urgent-copy", "&kind=priority"));
        Cli move = Cli.run("migrate", "--from", src("urgent", "&kind=priority"), "--to", dst("urgent", "&kind=priority"));

        for (Cli result : List.of(copy, move)) {
            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).contains("note: 2 jobs had a priority beyond -2,000,000..2,000,000 (such as inf or -inf) "
                    + "and were written with the nearest one");
        }
        for (String name : List.of("urgent-copy", "urgent")) {
            List<Delivery> taken = queue(newConnection, name, QueueKind.PRIORITY).take(3);
            assertThat(taken).extracting(Delivery::payloadAsString).containsExactly("first", "middle", "last");
            assertThat(taken).extracting(d -> (long) Math.floor(d.scoreValue().orElseThrow()))
                    .containsExactly(-2_000_000L, 5L, 2_000_000L);
        }
        assertThat(SourceJobs.of(oldConnection, "urgent").waiting()).isEmpty();
    }

    @Test
    void aDryRunReachesTheHttpHostAndFailsWhenItCannot() throws Exception {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 3);
        int closed = closedPort();
        try (SlowHttpServer http = SlowHttpServer.start(Duration.ZERO)) {
            Cli reached = Cli.run("migrate", "--dry-run", "--from", src("orders", ""), "--to", http.url());

            assertThat(reached.exitCode()).as(reached.toString()).isZero();
            assertThat(reached.out()).contains("--to: reached the HTTP host 127.0.0.1:" + http.url().split(":")[2].split("/")[0]);
            assertThat(http.posted()).isEmpty();
        }

        Cli unreachable = Cli.run("migrate", "--dry-run", "--from", src("orders", ""), "--to",
                "http://127.0.0.1:" + closed + "/in");

        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(1);
        assertThat(unreachable.err()).contains("--to http://127.0.0.1:" + closed + "/in: cannot reach the HTTP host 127.0.0.1:"
                + closed);
        assertThat(SourceJobs.of(oldConnection, "orders").ready()).hasSize(3);
    }

    @Test
    void aMoveToAnUnreachableKafkaFailsWithinSecondsWithItsOwnMessageAndMovesNothing() throws Exception {
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), 10);
        String kafka = "kafka:orders?brokers=127.0.0.1:" + closedPort();

        for (boolean dryRun : List.of(true, false)) {
            List<String> args = new ArrayList<>(List.of("migrate", "--redis", oldRedis.uri(), "--from", "redisq:orders",
                    "--to", kafka));
            if (dryRun) {
                args.add("--dry-run");
            }
            long started = System.nanoTime();
            try (JavaProcess migrate = JavaProcess.start(Qbridge.class, args.toArray(String[]::new))) {
                int exit = migrate.waitForExit(Duration.ofSeconds(30));
                String output = String.join("\n", migrate.outputLines());

                assertThat(exit).as(output).isEqualTo(1);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
                assertThat(output).contains("qbridge: --to " + kafka + ": cannot reach Kafka at 127.0.0.1:")
                        .doesNotContain("WARN");
            }
        }
        SourceJobs source = SourceJobs.of(oldConnection, "orders");
        assertThat(source.ready()).hasSize(10);
        assertThat(source.inFlight()).isEmpty();
    }

    private static int closedPort() throws java.io.IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void migrationKilledWithKill9AndRunAgainLosesNothing() {
        int total = 20_000;
        pushJobs(queue(oldConnection, "orders", QueueKind.RELIABLE), total);
        // a short lease, so that the jobs the killed run held come back quickly for the second run
        String from = src("orders", "&visibilityTimeout=2000");
        String to = dst("orders", "");

        try (JavaProcess first = JavaProcess.start(Qbridge.class, "migrate", "--from", from, "--to", to,
                "--batch-size", "200", "--max-rate", "4000", "--progress", "lines")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> list(newConnection, "orders").size() >= 3000);
            first.kill9();
        }
        assertThat(list(newConnection, "orders").size()).as("killed mid-way").isLessThan(total);

        Cli second = Cli.run("migrate", "--from", from, "--to", to, "--progress", "lines");

        assertThat(second.exitCode()).as(second.toString()).isZero();
        List<String> moved = list(newConnection, "orders");
        assertThat(new HashSet<>(moved)).as("every job arrived").hasSize(total)
                .containsAll(IntStream.rangeClosed(1, total).mapToObj(i -> "job-" + i).toList());
        assertThat(moved.size() - total).as("duplicates: at most the batch in flight at the kill").isLessThanOrEqualTo(200);
        assertThat(queue(oldConnection, "orders", QueueKind.RELIABLE).counts().total()).isZero();
    }

    @Test
    void helpExplainsTheUriForms() {
        Cli result = Cli.run("migrate", "--help");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).contains("Usage: qbridge migrate", "--from", "--copy", "--dry-run", "kill -9", "Examples:");
    }
}
