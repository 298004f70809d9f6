package dev.qbridge.server.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.server.Cli;
import dev.qbridge.testkit.DocumentedAcl;
import dev.qbridge.testkit.RedisServerExtension;
import dev.qbridge.testkit.TlsAuthority;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code qbridge migrate} and {@code qbridge queues} as a Redis user granted only the ACL rule of docs/PROTOCOL.md,
 * over mutual TLS given in the {@code --redis} URI (keyStore, trustStore): Redis' ACL LOG stays empty.
 */
class LeastPrivilegeCliIT {

    private static final String STORE_PW = "cli-store-pw";
    private static final String USER_PW = "cli-user-pw";
    private static final TlsAuthority.MutualTls TLS = TlsAuthority.mutualTls("cli", "PKCS12", STORE_PW);
    private static final Path TRUST_STORE = TLS.trustStore();
    private static final Path KEY_STORE = TLS.keyStore();

    @RegisterExtension
    static RedisServerExtension redis = TLS.redis();

    private RedisConnection admin;

    @BeforeEach
    void grantTheDocumentedRule() {
        redis.flushAll();
        DocumentedAcl.createUser(redis.client(), "qbridge", USER_PW, "orders", "orders-new", "later");
        admin = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void close() {
        admin.close();
    }

    /** The user's --redis: mutual TLS and the ACL user's credentials, all in the URI. */
    private static String userUri() {
        return "rediss://qbridge:" + USER_PW + "@127.0.0.1:" + redis.server().tlsPort() + "?keyStore=" + KEY_STORE
                + "&keyStorePassword=" + STORE_PW + "&trustStore=" + TRUST_STORE + "&trustStorePassword=" + STORE_PW;
    }

    private RedisQueue queue(String name, QueueKind kind) {
        return new RedisQueue(admin, QueueConfig.builder(name).kind(kind).leaseTimeout(Duration.ofMillis(200)).build());
    }

    private static List<byte[]> jobs(String prefix, int count) {
        List<byte[]> jobs = new ArrayList<>();
        IntStream.rangeClosed(1, count).forEach(i -> jobs.add((prefix + i).getBytes(StandardCharsets.UTF_8)));
        return jobs;
    }

    private static Cli ok(String... args) {
        Cli result = Cli.run(args);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.out() + result.err()).doesNotContain(USER_PW).doesNotContain(STORE_PW);
        return result;
    }

    @Test
    void migrateBetweenQueuesAndToFilesRunsWithoutARefusal(@TempDir Path dir) throws Exception {
        queue("orders", QueueKind.RELIABLE).push(jobs("job-", 300));

        ok("migrate", "--redis", userUri(), "--from", "redisq:orders", "--to", "redisq:orders-new");
        assertThat(redis.client().llen("orders-new")).isEqualTo(300);

        ok("migrate", "--redis", userUri(), "--copy", "--limit", "50", "--from", "redisq:orders-new", "--to",
                "file:" + dir + "?fileName=copy.txt&fileExist=Append&appendChars=%0A");
        assertThat(Files.readAllLines(dir.resolve("copy.txt"))).hasSize(50);

        ok("migrate", "--redis", userUri(), "--from", "redisq:orders-new", "--to",
                "file:" + dir + "?fileName=moved.txt&fileExist=Append&appendChars=%0A");
        assertThat(Files.readAllLines(dir.resolve("moved.txt"))).hasSize(300);
        assertThat(redis.client().exists("orders-new")).isFalse();

        assertThat(DocumentedAcl.log(redis.client())).as("ACL LOG").isEmpty();
    }

    @Test
    void queuesListInspectAndRepairRunWithoutARefusal() throws Exception {
        RedisQueue orders = queue("orders", QueueKind.RELIABLE);
        orders.push(jobs("o-", 5));
        orders.deadLetter(orders.take(1).get(0), "bad");
        orders.take(1); // its lease expires: requeue-stuck brings it back
        redis.client().lpush("orders:processing", "stuck");
        queue("later", QueueKind.DELAYED).pushJobs(List.of(NewJob.of("z").withDelay(Duration.ofHours(1))));
        Thread.sleep(300);

        Cli list = ok("queues", "--redis", userUri(), "list", "--match", "orders*");
        assertThat(list.out()).containsPattern("orders\\s+raw\\s+reliable\\s+3\\s+1\\s+0\\s+0\\s+1\\s+1");
        assertThat(ok("queues", "--redis", userUri(), "stats", "later").out()).contains("delayed:    1");
        assertThat(ok("queues", "--redis", userUri(), "peek", "orders").out()).contains("o-3");
        assertThat(ok("queues", "--redis", userUri(), "peek", "--dead", "orders").out()).contains("bad");
        assertThat(ok("queues", "--redis", userUri(), "requeue-dead", "orders").out()).contains("requeued 1 dead letters");
        assertThat(ok("queues", "--redis", userUri(), "requeue-stuck", "orders", "--older-than", "100ms", "--wait").out())
                .contains("requeued 1 expired leases").contains("rescued 1 from orders:processing");
        assertThat(ok("queues", "--redis", userUri(), "purge", "--yes", "orders").out()).contains("purged queue orders");

        assertThat(DocumentedAcl.log(redis.client())).as("ACL LOG").isEmpty();
    }
}
