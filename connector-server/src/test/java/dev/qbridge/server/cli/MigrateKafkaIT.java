package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.InJvmKafka;
import dev.qbridge.testkit.RedisServerExtension;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** 100,000 jobs from a Redis queue to Kafka and back to another Redis queue, every count verified. */
class MigrateKafkaIT {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    static InJvmKafka kafka;

    @BeforeAll
    static void startKafka() throws Exception {
        kafka = InJvmKafka.start(Map.of("num.partitions", "2"));
    }

    @AfterAll
    static void stopKafka() throws Exception {
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void hundredThousandJobsGoFromRedisToKafkaAndBackWithEveryCountVerified() {
        int total = 100_000;
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            RedisQueue source = new RedisQueue(connection, QueueConfig.builder("orders").build());
            List<byte[]> jobs = new ArrayList<>(total);
            IntStream.rangeClosed(1, total).forEach(i -> jobs.add(("{\"order\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            source.push(jobs);
            String topic = "kafka:orders?brokers=" + kafka.bootstrapServers();

            Cli toKafka = Cli.run("migrate", "--redis", redis.uri(), "--from", "redisq:orders", "--to", topic,
                    "--batch-size", "1000", "--progress", "lines");

            assertThat(toKafka.exitCode()).as(toKafka.toString()).isZero();
            assertThat(toKafka.out()).contains("verify: source before 100,000, after 0; written to destination 100,000; moved", "OK");
            assertThat(source.counts().total()).isZero();

            Cli back = Cli.run("migrate", "--redis", redis.uri(), "--from", topic, "--to", "redisq:orders-back",
                    "--idle-timeout", "8s", "--progress", "lines");

            assertThat(back.exitCode()).as(back.toString()).isZero();
            assertThat(back.out()).contains("verify: read from source 100,000; written to destination 100,000", "OK");
            List<byte[]> arrived = connection.lrange("orders-back".getBytes(StandardCharsets.UTF_8), 0, -1);
            Set<String> distinct = new HashSet<>();
            arrived.forEach(b -> distinct.add(new String(b, StandardCharsets.UTF_8)));
            assertThat(arrived).hasSize(total);
            assertThat(distinct).hasSize(total).contains("{\"order\":1}", "{\"order\":100000}");
        }
    }

    @Test
    void aDryRunReachesTheBrokersAndWritesNothing() {
        try (RedisConnection connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()))) {
            new RedisQueue(connection, QueueConfig.builder("dry").build()).push("job".getBytes(StandardCharsets.UTF_8));

            Cli result = Cli.run("migrate", "--redis", redis.uri(), "--from", "redisq:dry", "--to",
                    "kafka:dry?brokers=" + kafka.bootstrapServers(), "--dry-run");

            assertThat(result.exitCode()).as(result.toString()).isZero();
            assertThat(result.out()).contains("--to: reached Kafka at " + kafka.bootstrapServers(), "dry run: nothing taken or written");
            assertThat(new RedisQueue(connection, QueueConfig.builder("dry").build()).counts().ready()).isEqualTo(1);
        }
    }
}
