package dev.qbridge.server.deploy;

import static dev.qbridge.server.deploy.ServerProcess.drop;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServer;
import dev.qbridge.testkit.RedisServerExtension;
import jakarta.jms.Connection;
import jakarta.jms.MessageProducer;
import jakarta.jms.Session;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.apache.activemq.artemis.jms.client.ActiveMQConnectionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server process against real peers that cannot be used: a Redis that is down, one that refuses the
 * password, queue keys of the wrong type, Kafka on a closed port, an Artemis broker that is down, a sink that
 * refuses every job. Each connector must be reported failing with its reason within 30 seconds ({@code /connectors},
 * {@code /health} DEGRADED with 503, {@code qbridge_connector_up} 0), gauges that cannot be read must be absent, the
 * jobs must stay in Redis, none dead-lettered, no password shown; and the server must be UP again once fixed.
 */
class ServerHealthIT {

    /** What the issue promises: a connector that cannot move jobs is reported within 30 s. */
    private static final Duration REPORTED_WITHIN = Duration.ofSeconds(30);
    private static final Duration PATIENCE = Duration.ofSeconds(120);
    private static final String PASSWORD = "Wr0ngPa55word";

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @TempDir
    Path dir;

    private RedisConnection connection;
    private ServerProcess server;

    @BeforeEach
    void setUp() {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void tearDown() {
        if (server != null) {
            server.close();
        }
        connection.close();
    }

    @Test
    void redisqSourcesThatCannotTakeJobsAreFailingWithTheirReasonAndKeepTheirJobsUntilFixed() throws Exception {
        try (RedisServer down = RedisServer.startWithAof();
             RedisServer locked = RedisServer.builder().password("right-password").start();
             RedisConnection lockedConnection = JedisConnection.open(RedisEndpoint.builder(locked.uri())
                     .password("right-password").build())) {
            try (RedisConnection downConnection = JedisConnection.open(RedisEndpoint.parse(down.uri()))) {
                push(queue(downConnection, "in"), 5);
            }
            down.kill();
            push(queue(lockedConnection, "in"), 5);
            push(queue(connection, "typed"), 5);
            redisCommand("SET", "typed:seq", "not-a-number");
            push(queue(connection, "leased"), 5);
            redisCommand("HSET", "leased:leases", "x", "y");

            server = ServerProcess.start(dir, redis.uri());
            drop(dir, "redis-down.properties", "source = redisq:in?pollTimeout=200&redisUri=" + down.uri() + "\nsink = redisq:out-down\n");
            drop(dir, "wrong-password.properties", "source = redisq:in?pollTimeout=200&redisUri=redis://:" + PASSWORD + "@"
                    + locked.host() + ":" + locked.port() + "\nsink = redisq:out-locked\n");
            drop(dir, "wrong-type-seq.properties", "source = redisq:typed?pollTimeout=200\nsink = redisq:out-typed\n");
            drop(dir, "wrong-type-leases.properties", "source = redisq:leased?pollTimeout=200\nsink = redisq:out-leased\n");

            awaitFailing(4);
            String connectors = server.get("/connectors");
            assertThat(failingReason(connectors, "redis-down")).contains("its Redis is unavailable", down.host() + ":" + down.port());
            assertThat(failingReason(connectors, "wrong-password")).contains("refused the credentials");
            assertThat(failingReason(connectors, "wrong-type-seq")).contains("its queue is skipped", "typed:seq");
            assertThat(failingReason(connectors, "wrong-type-leases")).contains("leased:leases");
            String metrics = server.get("/metrics");
            for (String name : List.of("redis-down", "wrong-password", "wrong-type-seq", "wrong-type-leases")) {
                assertThat(metrics).contains("qbridge_connector_up{connector=\"" + name + "\"} 0.0");
            }
            // counts that cannot be read are left out, not reported as 0; counts that can be read are the truth
            assertThat(metrics).doesNotContainPattern("qbridge_queue_jobs\\{queue=\"in\",redis=\"redis://127.0.0.1:" + down.port())
                    .doesNotContainPattern("qbridge_queue_jobs\\{queue=\"in\",redis=\"redis://:\\*\\*\\*@127.0.0.1:" + locked.port())
                    .doesNotContain("qbridge_queue_jobs{queue=\"leased\"")
                    .containsPattern("qbridge_queue_jobs\\{queue=\"typed\",redis=\"[^\"]+\",state=\"ready\"} 5.0");
            assertThat(connectors).contains("\"queue\":\"leased @ " + redisLabel() + "\",\"error\":");
            // the jobs wait where they were; none failed for it
            assertThat(queue(connection, "typed").counts()).satisfies(c -> assertUntouched(c, 5));
            assertThat(connection.lrange(bytes("leased"), 0, -1)).as("leased: its counts cannot be read, its list can").hasSize(5);
            assertThat(connection.type(bytes("leased:dead"))).isEqualTo("none");
            assertThat(queue(lockedConnection, "in").counts()).satisfies(c -> assertUntouched(c, 5));
            assertNoPasswordShown();

            // fixed: Redis back, the right password, the keys repaired
            down.restart();
            drop(dir, "wrong-password.properties", "source = redisq:in?pollTimeout=200&redisUri=redis://:right-password@"
                    + locked.host() + ":" + locked.port() + "\nsink = redisq:out-locked\n");
            redisCommand("SET", "typed:seq", "100");
            redisCommand("DEL", "leased:leases");

            await().atMost(PATIENCE).untilAsserted(() -> {
                for (String out : List.of("out-down", "out-locked", "out-typed", "out-leased")) {
                    assertThat(connection.lrange(bytes(out), 0, -1)).as(out).hasSize(5);
                }
            });
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/health")).startsWith("200 {\"status\":\"UP\""));
            // the gauges are sampled every 2 s: a busy machine may still serve the sample of before the fix
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/metrics"))
                    .contains("qbridge_connector_up{connector=\"redis-down\"} 1.0")
                    .containsPattern("qbridge_queue_jobs\\{queue=\"in\",redis=\"redis://127.0.0.1:" + down.port() + "\",state=\"ready\"} 0.0"));
            assertThat(server.output()).contains("connector redis-down moves jobs again");
        }
    }

    @Test
    void kafkaAndJmsSourcesWhosePeerIsDownAreFailingAndKafkaWarningsAreLimitedToOneLinePerClientAMinute() throws Exception {
        int closedKafkaPort = freePort();
        int artemisPort = freePort();
        String brokerUrl = "tcp://127.0.0.1:" + artemisPort;
        server = ServerProcess.start(dir, redis.uri());
        long dropped = System.nanoTime();
        drop(dir, "kafka-down.properties", "source = kafka:events?brokers=127.0.0.1:" + closedKafkaPort + "\nsink = redisq:inbox-kafka\n");
        drop(dir, "jms-down.properties", "source = jms:queue:incoming\nsink = redisq:inbox-jms\njms.brokerUrl = " + brokerUrl
                + "\njms.user = app\njms.password = " + PASSWORD + "\n");

        awaitFailing(2);
        String connectors = server.get("/connectors");
        assertThat(failingReason(connectors, "kafka-down")).contains("its Kafka consumer reaches no broker of 127.0.0.1:" + closedKafkaPort);
        assertThat(failingReason(connectors, "jms-down")).contains("its JMS listener cannot connect to the broker " + brokerUrl);
        assertThat(server.get("/metrics")).contains("qbridge_connector_up{connector=\"kafka-down\"} 0.0",
                "qbridge_connector_up{connector=\"jms-down\"} 0.0");

        // the Kafka client warned twice a second since the file was dropped: one line per client within a minute
        assertThat(System.nanoTime() - dropped).isLessThan(Duration.ofSeconds(60).toNanos());
        Map<String, Integer> kafkaLines = new java.util.TreeMap<>();
        Matcher m = Pattern.compile("WARN .*clientId=([^,\\]]+)").matcher(server.output());
        while (m.find()) {
            kafkaLines.merge(m.group(1), 1, Integer::sum);
        }
        assertThat(kafkaLines).as("Kafka client warnings by client").isNotEmpty().allSatisfy((client, lines) ->
                assertThat(lines).as(client).isEqualTo(1));
        // and Spring's listener container, which tries again every 5 s
        assertThat(server.output().lines().filter(l -> l.contains("Could not refresh JMS Connection for destination 'incoming'")))
                .hasSize(1);
        assertNoPasswordShown();

        // the broker comes up: the listener connects, the connector is healthy and moves messages
        EmbeddedActiveMQ artemis = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl()
                .setPersistenceEnabled(false).setSecurityEnabled(false).setJournalDirectory(dir.resolve("artemis").toString())
                .addAcceptorConfiguration("tcp", brokerUrl));
        artemis.start();
        try {
            java.nio.file.Files.delete(dir.resolve("kafka-down.properties"));
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/health")).startsWith("200 {\"status\":\"UP\""));
            try (ActiveMQConnectionFactory factory = new ActiveMQConnectionFactory(brokerUrl);
                 Connection jms = factory.createConnection()) {
                Session session = jms.createSession(false, Session.AUTO_ACKNOWLEDGE);
                MessageProducer producer = session.createProducer(session.createQueue("incoming"));
                for (int i = 1; i <= 3; i++) {
                    producer.send(session.createTextMessage("message-" + i));
                }
            }
            await().atMost(PATIENCE).until(() -> queue(connection, "inbox-jms").counts().ready() == 3);
            assertThat(server.get("/metrics")).contains("qbridge_connector_up{connector=\"jms-down\"} 1.0");
        } finally {
            artemis.stop();
        }
    }

    @Test
    void sinksThatFailEveryJobAreFailingWithTheLastErrorAndNoJobIsLost() throws Exception {
        int closedHttpPort = freePort();
        try (RedisServer sinkRedis = RedisServer.start()) {
            sinkRedis.kill();
            server = ServerProcess.start(dir, redis.uri());
            drop(dir, "to-http.properties", """
                    source = redisq:to-http?pollTimeout=200
                    sink = http://127.0.0.1:%d/hooks
                    template = none
                    retry.maxAttempts = 1
                    retry.initialBackoff = 200ms
                    retry.maxBackoff = 1s
                    """.formatted(closedHttpPort));
            drop(dir, "to-redis.properties", """
                    source = redisq:to-redis?pollTimeout=200
                    sink = redisq:out?redisUri=redis://:%s@127.0.0.1:%d
                    retry.maxAttempts = 1
                    retry.initialBackoff = 200ms
                    retry.maxBackoff = 1s
                    """.formatted(PASSWORD, sinkRedis.port()));
            push(queue(connection, "to-http"), 10);
            push(queue(connection, "to-redis"), 10);

            awaitFailing(2);
            String connectors = server.get("/connectors");
            assertThat(failingReason(connectors, "to-http")).contains("127.0.0.1:" + closedHttpPort);
            assertThat(failingReason(connectors, "to-redis")).contains("127.0.0.1:" + sinkRedis.port());
            assertThat(server.get("/metrics")).contains("qbridge_connector_up{connector=\"to-http\"} 0.0",
                    "qbridge_connector_up{connector=\"to-redis\"} 0.0");
            for (String name : List.of("to-http", "to-redis")) {
                QueueCounts counts = queue(connection, name).counts();
                assertThat(counts.dead()).as(name + " dead letters: a destination outage spends no attempt").isZero();
                assertThat(counts.ready() + counts.inFlight() + counts.retrying()).as(name + " jobs kept").isEqualTo(10);
            }
            assertNoPasswordShown();

            List<String> received = Collections.synchronizedList(new ArrayList<>());
            HttpServer hooks = HttpServer.create(new InetSocketAddress("127.0.0.1", closedHttpPort), 8);
            hooks.createContext("/hooks", ex -> {
                received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            hooks.start();
            try {
                java.nio.file.Files.delete(dir.resolve("to-redis.properties"));
                await().atMost(PATIENCE).until(() -> received.size() >= 10);
                await().atMost(PATIENCE).untilAsserted(() -> assertThat(server.get("/health")).startsWith("200 {\"status\":\"UP\""));
                assertThat(received).containsExactlyInAnyOrderElementsOf(jobs(10));
            } finally {
                hooks.stop(0);
            }
        }
    }

    /** Waits until /health says DEGRADED with 503 for this many failing connectors, no longer than promised. */
    private void awaitFailing(int failing) {
        long start = System.nanoTime();
        await().atMost(REPORTED_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> assertThat(server.get("/health"))
                .startsWith("503 {\"status\":\"DEGRADED\"").contains("\"failing\":" + failing));
        System.out.printf("%d connector(s) reported failing after %d ms%n", failing, (System.nanoTime() - start) / 1_000_000);
    }

    /** The reason /connectors gives for a failing connector. */
    private static String failingReason(String connectors, String name) {
        Matcher m = Pattern.compile("\\{\"name\":\"" + Pattern.quote(name) + "\",\"file\":\"[^\"]+\",\"status\":\"Failing\","
                + "\"reason\":\"((?:[^\"\\\\]|\\\\.)*)\",\"since\":\"[^\"]+\"").matcher(connectors);
        assertThat(m.find()).as(name + " is failing in " + connectors).isTrue();
        return m.group(1);
    }

    private void assertNoPasswordShown() {
        for (String path : List.of("/connectors", "/health", "/metrics")) {
            assertThat(server.get(path)).as(path).doesNotContain(PASSWORD);
        }
        assertThat(server.output()).as("the server's log").doesNotContain(PASSWORD);
    }

    private static void assertUntouched(QueueCounts counts, int jobs) {
        assertThat(counts.ready()).as("ready").isEqualTo(jobs);
        assertThat(counts.inFlight() + counts.retrying() + counts.dead()).as("taken, retried or dead").isZero();
    }

    private static void redisCommand(String... command) {
        redis.client().sendCommand(() -> bytes(command[0]), java.util.Arrays.copyOfRange(command, 1, command.length));
    }

    private String redisLabel() {
        return RedisEndpoint.parse(redis.uri()).toString();
    }

    private static RedisQueue queue(RedisConnection redis, String name) {
        return new RedisQueue(redis, QueueConfig.builder(name).build());
    }

    private static void push(RedisQueue queue, int n) {
        queue.push(jobs(n).stream().map(ServerHealthIT::bytes).toList());
    }

    private static List<String> jobs(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> "job-" + i).toList();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
