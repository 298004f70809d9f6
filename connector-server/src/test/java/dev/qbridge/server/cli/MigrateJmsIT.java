package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.activemq.artemis.core.config.impl.ConfigurationImpl;
import org.apache.activemq.artemis.core.server.embedded.EmbeddedActiveMQ;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A backlog from a Redis queue to a JMS queue and back, on an embedded Artemis broker. */
class MigrateJmsIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    @TempDir
    static Path work;

    static EmbeddedActiveMQ artemis;

    @BeforeAll
    static void startBroker() throws Exception {
        artemis = new EmbeddedActiveMQ().setConfiguration(new ConfigurationImpl().setPersistenceEnabled(false)
                .setSecurityEnabled(false).setJournalDirectory(work.toString()).addAcceptorConfiguration("in-vm", "vm://0"));
        artemis.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        artemis.stop();
    }

    @Test
    void jobsGoFromRedisToJmsAndBackWithEveryCountVerified() {
        int total = 2000;
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            List<byte[]> jobs = new ArrayList<>();
            IntStream.rangeClosed(1, total).forEach(i -> jobs.add(("job-" + i).getBytes(StandardCharsets.UTF_8)));
            new RedisQueue(connection, QueueConfig.builder("orders").build()).push(jobs);

            Cli toJms = Cli.run("migrate", "--redis", redis.uri(), "--jms-broker-url", "vm://0", "--from", "redisq:orders",
                    "--to", "jms:queue:orders-backlog", "--progress", "none");
            assertThat(toJms.exitCode()).as(toJms.toString()).isZero();
            assertThat(toJms.out()).contains("verify: source before 2,000, after 0; written to destination 2,000", "OK");

            Cli back = Cli.run("migrate", "--redis", redis.uri(), "--jms-broker-url", "vm://0", "--from", "jms:queue:orders-backlog",
                    "--to", "redisq:orders-back", "--idle-timeout", "3s", "--progress", "none");
            assertThat(back.exitCode()).as(back.toString()).isZero();
            assertThat(back.out()).contains("verify: read from source 2,000; written to destination 2,000", "OK");
            List<String> arrived = connection.lrange("orders-back".getBytes(StandardCharsets.UTF_8), 0, -1).stream()
                    .map(b -> new String(b, StandardCharsets.UTF_8)).toList();
            assertThat(arrived).as("every job, each once").hasSize(total)
                    .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).mapToObj(i -> "job-" + i).toList());
        }
    }

    @Test
    void aDryRunReachesTheBrokerAndFailsWhenItCannot() throws Exception {
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            new RedisQueue(connection, QueueConfig.builder("dry").build()).push("job".getBytes(StandardCharsets.UTF_8));
        }
        Cli reached = Cli.run("migrate", "--redis", redis.uri(), "--jms-broker-url", "vm://0", "--from", "redisq:dry",
                "--to", "jms:queue:dry", "--dry-run");

        assertThat(reached.exitCode()).as(reached.toString()).isZero();
        assertThat(reached.out()).contains("--to: reached the JMS broker", "dry run: nothing taken or written");

        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = socket.getLocalPort();
        }
        long started = System.nanoTime();
        Cli unreachable = Cli.run("migrate", "--redis", redis.uri(), "--jms-broker-url", "tcp://127.0.0.1:" + closed,
                "--from", "redisq:dry", "--to", "jms:queue:dry", "--dry-run");

        assertThat(unreachable.exitCode()).as(unreachable.toString()).isEqualTo(1);
        assertThat(unreachable.err()).contains("--to jms:queue:dry: cannot reach the JMS broker");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - started)).isLessThan(java.time.Duration.ofSeconds(30));
    }
}
