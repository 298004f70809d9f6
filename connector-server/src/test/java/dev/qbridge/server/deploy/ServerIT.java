package dev.qbridge.server.deploy;

import static dev.qbridge.server.deploy.ServerProcess.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.RedisServerExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The real server process on a temp directory: files dropped in, changed and removed; bad files; SIGTERM. */
class ServerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** A route template with a delay per job (one after the other), so that stops happen with jobs in flight. */
    private static final String SLOW_TEMPLATE = """
            - routeTemplate:
                id: slow-bridge
                parameters:
                  - name: source
                  - name: sink
                  - name: delay
                    defaultValue: "10"
                from:
                  uri: "{{source}}"
                  steps:
                    - delay:
                        expression:
                          constant: "{{delay}}"
                        asyncDelayed: false
                    - to:
                        uri: "{{sink}}"
            """;

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @TempDir
    Path dir;

    private RedisConnection connection;
    private ServerProcess server;

    @BeforeEach
    void setUp() throws IOException {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/slow-bridge.yaml"), SLOW_TEMPLATE);
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        connection.close();
    }

    private RedisQueue queue(String name) {
        return new RedisQueue(connection, QueueConfig.builder(name).build());
    }

    private void push(String queue, int from, int to) {
        List<byte[]> jobs = new ArrayList<>();
        IntStream.rangeClosed(from, to).forEach(i -> jobs.add(("job-" + i).getBytes(StandardCharsets.UTF_8)));
        queue(queue).push(jobs);
    }

    private List<String> jobsIn(String queue) {
        return connection.lrange(queue.getBytes(StandardCharsets.UTF_8), 0, -1).stream()
                .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    private static List<String> jobs(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "job-" + i).toList();
    }

    @Test
    void droppedFileStartsItsConnectorAndEveryJobReachesTheFileSink() throws IOException {
        Path out = dir.resolve("out");
        push("orders", 1, 500);
        server = ServerProcess.start(dir, redis.uri());

        // template auto: redisq to file runs the redisq-to-file bridge, one file per job written atomically
        drop(dir, "orders-to-file.properties", """
                source = redisq:orders?pollTimeout=200
                sink = file:%s
                batchSize = 50
                """.formatted(out));

        await().atMost(PATIENCE).until(() -> jobFiles(out).size() >= 500);
        List<String> contents = new ArrayList<>();
        for (Path f : jobFiles(out)) {
            contents.add(Files.readString(f));
        }
        assertThat(contents).containsExactlyInAnyOrderElementsOf(jobs(1, 500));
        await().atMost(PATIENCE).until(() -> queue("orders").counts().total() == 0);
        assertThat(server.get("/connectors")).contains("\"name\":\"orders-to-file\"", "\"status\":\"Started\"",
                "\"route\":\"template redisq-to-file\"");
    }

    @Test
    void aConnectorFileReachesTheJsonLinesModeOfTheFileBridge() throws IOException {
        Path out = dir.resolve("out");
        push("orders", 1, 500);
        server = ServerProcess.start(dir, redis.uri());

        drop(dir, "orders-to-jsonl.properties", """
                source = redisq:orders?pollTimeout=200
                sink = file:%s
                batchSize = 100
                template.fileFormat = jsonLines
                template.linesFileName = orders.jsonl
                """.formatted(out));

        await().atMost(PATIENCE).until(() -> queue("orders").counts().total() == 0);
        List<String> lines = Files.readAllLines(out.resolve("orders.jsonl"));
        assertThat(lines).hasSize(500).allMatch(l -> l.startsWith("{\"queue\":\"orders\",\"id\":"));
        assertThat(lines.stream().map(l -> l.replaceFirst(".*\"payload\":\"(.*)\"}$", "$1")).toList())
                .containsExactlyInAnyOrderElementsOf(jobs(1, 500));
        assertThat(server.get("/connectors")).contains("\"route\":\"template redisq-to-file\"");
    }

    @Test
    void plainRouteTakesAnyCamelOptions() throws IOException {
        Path out = dir.resolve("out");
        push("orders", 1, 200);
        server = ServerProcess.start(dir, redis.uri());

        drop(dir, "orders-to-lines.properties", """
                source = redisq:orders?pollTimeout=200
                sink = file:%s?fileName=jobs.txt&fileExist=Append&appendChars=%%0A
                template = none
                """.formatted(out));

        await().atMost(PATIENCE).until(() -> Files.exists(out.resolve("jobs.txt"))
                && Files.readAllLines(out.resolve("jobs.txt")).size() >= 200);
        assertThat(Files.readAllLines(out.resolve("jobs.txt"))).containsExactlyInAnyOrderElementsOf(jobs(1, 200));
        assertThat(server.get("/connectors")).contains("\"route\":\"plain\"");
    }

    private static List<Path> jobFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".job")).toList();
        }
    }

    @Test
    void changedFileRestartsTheConnectorWithItsNewSink() {
        server = ServerProcess.start(dir, redis.uri());
        drop(dir, "bridge.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:first\n");
        push("in", 1, 100);
        await().atMost(PATIENCE).until(() -> jobsIn("first").size() == 100);

        drop(dir, "bridge.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:second\n");
        await().atMost(PATIENCE).until(() -> server.get("/connectors").contains("redisq:second"));
        push("in", 101, 200);

        await().atMost(PATIENCE).until(() -> jobsIn("second").size() == 100);
        assertThat(jobsIn("first")).containsExactlyInAnyOrderElementsOf(jobs(1, 100));
        assertThat(jobsIn("second")).containsExactlyInAnyOrderElementsOf(jobs(101, 200));
        assertThat(queue("in").counts().total()).isZero();
    }

    @Test
    void removedFileStopsItsConnectorGracefullyWithNothingStranded() throws IOException {
        server = ServerProcess.start(dir, redis.uri());
        push("in", 1, 400);
        Path file = drop(dir, "slow.properties", """
                source = redisq:in?pollTimeout=200
                sink = redisq:out
                batchSize = 10
                template = slow-bridge
                template.delay = 50
                """);
        await().atMost(PATIENCE).until(() -> jobsIn("out").size() >= 30);

        Files.delete(file);
        // the jobs leased while the server stops the connector: the stop must wait for them, not strand them
        Set<String> inFlightAtStop = new TreeSet<>();
        await().atMost(PATIENCE).until(() -> {
            List<String> leased = leasedJobs("in");
            String output = server.output();
            if (output.contains("connector file slow.properties was removed")) {
                inFlightAtStop.addAll(leased);
            }
            return output.contains("connector slow stopped");
        });

        assertThat(inFlightAtStop).as("jobs in flight when the stop began").isNotEmpty();
        assertThat(server.get("/connectors")).doesNotContain("\"name\":\"slow\"");
        assertEveryJobExactlyOnce(400, inFlightAtStop);
    }

    /** After a graceful stop: none in flight, none retried or dead, every job once at the sink or still ready. */
    private void assertEveryJobExactlyOnce(int jobs, Set<String> inFlightAtStop) {
        QueueCounts in = queue("in").counts();
        List<String> out = jobsIn("out");
        List<String> ready = jobsIn("in");
        assertThat(in.inFlight()).as("jobs stranded in flight").isZero();
        assertThat(in.retrying() + in.dead()).as("jobs failed by the stop").isZero();
        assertThat(ready).as("the connector stopped before draining the queue").isNotEmpty();
        assertThat(out).as("jobs at the sink").doesNotHaveDuplicates();
        List<String> everywhere = new ArrayList<>(out);
        everywhere.addAll(ready);
        assertThat(everywhere).as("every job exactly once, at the sink or still ready").containsExactlyInAnyOrderElementsOf(jobs(1, jobs));
        assertThat(out).as("the jobs in flight finished their exchange and were acked").containsAll(inFlightAtStop);
    }

    /** The payloads of the jobs leased now: members of {@code <queue>:leases} are "id:attempt:score:payload". */
    private List<String> leasedJobs(String queue) {
        return connection.zrangeWithScores((queue + ":leases").getBytes(StandardCharsets.UTF_8), 0, -1).keySet().stream()
                .map(member -> new String(member, StandardCharsets.UTF_8).split(":", 4)[3]).toList();
    }

    @Test
    void badFileIsReportedWithFileKeyAndReasonWhileOtherConnectorsKeepRunning() {
        server = ServerProcess.start(dir, redis.uri());
        drop(dir, "good.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
        drop(dir, "no-sink.properties", "source = redisq:other\n");
        drop(dir, "unknown-component.properties", "source = redisq:other\nsink = nosuch:thing\n");
        drop(dir, "bad-option.properties", "source = redisq:other?batchSize=5000\nsink = redisq:out\n");
        drop(dir, "typo.properties", "source = redisq:other\nsink = redisq:out\nconcurency = 4\n");
        drop(dir, "bridge-option.properties", "source = redisq:other\nsink = kafka:t?brokers=localhost:1&linger=5\n");
        drop(dir, "missing-env.properties", "source = redisq:other?redisUri=${env:QBRIDGE_TEST_UNSET_VARIABLE}\nsink = redisq:out\n");

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors"))
                .contains("{\"file\":\"no-sink.properties\",\"key\":\"sink\",\"reason\":\"is required")
                .contains("{\"file\":\"unknown-component.properties\",\"key\":\"sink\"")
                .contains("{\"file\":\"bad-option.properties\",\"key\":\"source\",\"reason\":\"")
                .contains("batchSize must be between 1 and 1000")
                .contains("{\"file\":\"typo.properties\",\"key\":\"concurency\",\"reason\":\"unknown key")
                .contains("{\"file\":\"bridge-option.properties\",\"key\":\"sink\",\"reason\":\"option linger is not taken by the redisq-to-kafka bridge")
                .contains("{\"file\":\"missing-env.properties\",\"key\":\"source\",\"reason\":\"${env:QBRIDGE_TEST_UNSET_VARIABLE} is not set"));
        assertThat(server.get("/health")).startsWith("503").contains("\"status\":\"DEGRADED\"", "\"badFiles\":6");
        assertThat(server.output()).contains("BAD CONNECTOR FILE", "no-sink.properties: key sink");

        push("in", 1, 50);
        await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 50);

        drop(dir, "no-sink.properties", "source = redisq:other?pollTimeout=200\nsink = redisq:out\n");
        await().atMost(PATIENCE).until(() -> server.get("/connectors").contains("\"name\":\"no-sink\""));
        assertThat(server.get("/connectors")).doesNotContain("\"file\":\"no-sink.properties\",\"key\"");
    }

    /** Files no check of the old deployer caught before Camel saw them: each stalled the scan or stopped the start. */
    private static final String EMPTY_QUEUE = "source = redisq:\nsink = redisq:out\n";
    private static final String BAD_BROKER_URL = "source = redisq:in\nsink = jms:queue:orders\njms.brokerUrl = not a url\n";

    @Test
    void filesThatCannotBeLoadedAtStartAreReportedByNameAndTheOthersRun() throws IOException {
        Files.writeString(dir.resolve("empty-queue.properties"), EMPTY_QUEUE);
        Files.writeString(dir.resolve("bad-broker.properties"), BAD_BROKER_URL);
        Files.writeString(dir.resolve("good.properties"), "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
        for (String name : List.of("empty-queue.properties", "bad-broker.properties", "good.properties")) {
            Files.setLastModifiedTime(dir.resolve(name), FileTime.from(Instant.now().minusSeconds(10)));
        }
        push("in", 1, 20);

        server = ServerProcess.start(dir, redis.uri());

        await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 20);
        assertThat(server.get("/connectors"))
                .contains("{\"file\":\"empty-queue.properties\",\"key\":\"source\",\"reason\":\"the queue name is empty")
                .contains("{\"file\":\"bad-broker.properties\",\"key\":\"jms.brokerUrl\",\"reason\":\"'not a url' is not an Artemis broker URL")
                .contains("\"name\":\"good\"");
        assertThat(server.output()).contains("BAD CONNECTOR FILE " + dir.resolve("empty-queue.properties"),
                "BAD CONNECTOR FILE " + dir.resolve("bad-broker.properties"));
        assertThat(server.process.isAlive()).isTrue();
    }

    @Test
    void filesThatCannotBeLoadedDroppedIntoARunningServerAreReportedAndALaterFileStillLoads() {
        server = ServerProcess.start(dir, redis.uri());
        drop(dir, "empty-queue.properties", EMPTY_QUEUE);
        drop(dir, "bad-broker.properties", BAD_BROKER_URL);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors"))
                .contains("\"file\":\"empty-queue.properties\"", "\"file\":\"bad-broker.properties\""));

        drop(dir, "later.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
        push("in", 1, 20);

        await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 20);
        assertThat(server.get("/connectors")).contains("\"name\":\"later\"");
        assertThat(server.output()).doesNotContain("scanning", "could not be handled");
    }

    @Test
    void connectorWhoseRedisIsDownAtStartIsNotABadFileAndMovesJobsOnceRedisIsBack() {
        try (RedisServer flaky = RedisServer.start()) {
            flaky.kill();
            server = ServerProcess.start(dir, redis.uri());
            drop(dir, "from-flaky.properties", "source = redisq:in?pollTimeout=200&redisUri=" + flaky.uri() + "\nsink = redisq:out\n");
            // the redisq consumer waits out the outage (Started), or the server retries a start that failed (Waiting)
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors"))
                    .containsPattern("\"name\":\"from-flaky\",\"file\":\"from-flaky.properties\",\"status\":\"(Started|Waiting)\""));
            assertThat(server.get("/connectors")).contains("\"badFiles\":[]");

            flaky.restart();
            try (RedisConnection flakyConnection = JedisConnection.open(RedisEndpoint.parse(flaky.uri()))) {
                new RedisQueue(flakyConnection, QueueConfig.builder("in").build()).push(List.of(
                        "job-1".getBytes(StandardCharsets.UTF_8), "job-2".getBytes(StandardCharsets.UTF_8)));
            }
            await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 2);
            await().atMost(PATIENCE).until(() -> server.get("/health").contains("\"status\":\"UP\""));
        }
    }

    @Test
    void aConnectorWhosePortIsTakenWaitsForItWhileTheOthersRun() throws Exception {
        int port;
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            port = taken.getLocalPort();
            server = ServerProcess.start(dir, redis.uri(), "--platform-http-port", Integer.toString(port));
            drop(dir, "from-http.properties", "source = platform-http:/jobs\nsink = redisq:inbox\n");
            drop(dir, "good.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
            push("in", 1, 10);

            await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 10);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors")).contains("{\"name\":\"from-http\","
                    + "\"file\":\"from-http.properties\",\"status\":\"Waiting\",\"reason\":\"cannot start the HTTP server of "
                    + "platform-http: sources on 127.0.0.1:" + port));
            assertThat(server.get("/health")).startsWith("503").contains("\"status\":\"DEGRADED\"", "\"waiting\":1");
        }

        // the port is free again: the next try starts the connector
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/connectors"))
                .contains("{\"name\":\"from-http\",\"file\":\"from-http.properties\",\"status\":\"Started\""));
        java.net.http.HttpResponse<String> posted = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/jobs"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("posted")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(posted.statusCode()).isEqualTo(202);
        assertThat(jobsIn("inbox")).containsExactly("posted");
        assertThat(server.get("/health")).startsWith("200");
    }

    @Test
    void directoriesDanglingLinksAndBinaryFilesNamedPropertiesAreReportedAsBadFiles() throws IOException {
        Files.createDirectory(dir.resolve("a-directory.properties"));
        Files.createSymbolicLink(dir.resolve("dangling.properties"), dir.resolve("gone.properties"));
        Files.write(dir.resolve("binary.properties"), new byte[] {'k', '=', 0, (byte) 0xff, (byte) 0xfe, '=', '=', '\n'});
        Files.writeString(dir.resolve("utf8.properties"), "source = redisq:in\u00e9?pollTimeout=200\nsink = redisq:out\u00e9\n");
        push("in\u00e9", 1, 3);

        server = ServerProcess.start(dir, redis.uri());

        await().atMost(PATIENCE).until(() -> jobsIn("out\u00e9").size() == 3);
        String connectors = server.get("/connectors");
        assertThat(connectors).contains(
                "{\"file\":\"a-directory.properties\",\"key\":\"-\",\"reason\":\"is a directory, not a connector file",
                "{\"file\":\"dangling.properties\",\"key\":\"-\",\"reason\":\"is a symbolic link to " + dir.resolve("gone.properties"),
                "{\"file\":\"binary.properties\",\"key\":\"-\",\"reason\":\"not a text file: NUL byte at offset 2\"}");
        assertThat(server.get("/health")).startsWith("503").contains("\"badFiles\":3");
    }

    @Test
    void fileStillBeingWrittenIsNotLoadedAndTmpFilesAreIgnored() throws IOException {
        server = ServerProcess.start(dir, redis.uri());
        // a writer mid-way: half a file whose modification time keeps moving (here: in the future)
        Path half = dir.resolve("half.properties");
        Files.writeString(half, "source = redisq:in?pollTimeout=200\n");
        Files.setLastModifiedTime(half, FileTime.from(Instant.now().plusSeconds(3600)));
        Files.writeString(dir.resolve("pending.properties.tmp"), "not a connector at all");
        drop(dir, "marker.properties", "source = redisq:marker?pollTimeout=200\nsink = redisq:marker-out\n");
        // once a later file is loaded, the scans that skipped the others have happened
        await().atMost(PATIENCE).until(() -> server.get("/connectors").contains("\"name\":\"marker\""));
        assertThat(server.get("/connectors")).doesNotContain("half", "pending");

        Files.writeString(half, "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
        Files.setLastModifiedTime(half, FileTime.from(Instant.now().minusSeconds(10)));
        push("in", 1, 20);

        await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 20);
        assertThat(server.output()).doesNotContain("BAD CONNECTOR FILE");
    }

    @Test
    void sigtermMidStreamStopsGracefullyAndLosesNoJob() {
        server = ServerProcess.start(dir, redis.uri());
        push("in", 1, 1000);
        drop(dir, "slow.properties", """
                source = redisq:in?pollTimeout=200
                sink = redisq:out
                batchSize = 20
                concurrency = 2
                template = slow-bridge
                template.delay = 5
                """);
        await().atMost(PATIENCE).until(() -> jobsIn("out").size() >= 100);

        server.sigterm();
        // read within milliseconds of the signal, while a batch takes 100 ms: the jobs the stop must wait for
        Set<String> inFlightAtStop = new TreeSet<>(leasedJobs("in"));
        int exitCode = server.process.waitForExit(PATIENCE);

        assertThat(exitCode).as("a graceful stop asked for by SIGTERM").isZero();
        assertThat(inFlightAtStop).as("jobs in flight when SIGTERM arrived").isNotEmpty();
        assertEveryJobExactlyOnce(1000, inFlightAtStop);
        assertThat(server.output()).contains("connector slow stopped", "qbridge server stopped");
    }

    @Test
    void yamlRouteInTheRoutesDirectoryRunsAndIsReloadedWhenChanged() throws IOException {
        Path route = dir.resolve("routes/relay.yaml");
        Files.writeString(route, relay("relay-first"));
        server = ServerProcess.start(dir, redis.uri());
        push("relay-in", 1, 10);
        await().atMost(PATIENCE).until(() -> jobsIn("relay-first").size() == 10);

        Files.writeString(route, relay("relay-second"));
        await().atMost(PATIENCE).untilAsserted(() -> {
            push("relay-in", 11, 11);
            assertThat(jobsIn("relay-second")).isNotEmpty();
        });
        await().atMost(PATIENCE).until(() -> queue("relay-in").counts().total() == 0);
    }

    private static String relay(String to) {
        return """
                - route:
                    id: relay
                    from:
                      uri: "redisq:relay-in?pollTimeout=200"
                      steps:
                        - to:
                            uri: "redisq:%s"
                """.formatted(to);
    }

    @Test
    void metricsEndpointShowsQueueCountsAndThroughputInPrometheusFormat() {
        server = ServerProcess.start(dir, redis.uri());
        push("in", 1, 100); // waiting before the connector starts: its first take must be counted too
        drop(dir, "bridge.properties", "source = redisq:in?pollTimeout=200\nsink = redisq:out\n");
        await().atMost(PATIENCE).until(() -> jobsIn("out").size() == 100);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/metrics"))
                .startsWith("200")
                .contains("qbridge_connector_jobs_total{connector=\"bridge\",outcome=\"completed\"} 100.0")
                .containsPattern("qbridge_queue_jobs\\{queue=\"out\",redis=\"[^\"]+\",state=\"ready\"} 100.0")
                .containsPattern("qbridge_queue_jobs\\{queue=\"in\",redis=\"[^\"]+\",state=\"in_flight\"} 0.0")
                .containsPattern("qbridge_queue_jobs_moved_total\\{direction=\"out\",queue=\"in\",redis=\"[^\"]+\"} 100.0")
                .contains("qbridge_connector_up{connector=\"bridge\"} 1.0"));
        assertThat(server.get("/health")).isEqualTo("200 {\"status\":\"UP\",\"connectors\":1,\"badFiles\":0}");
        assertThat(server.get("/connectors")).contains("\"jobsCompleted\":100,\"jobsFailed\":0");
    }
}
