package dev.qbridge.core.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.QueueConsumer;
import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.testkit.RedisServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConnectionFailureIT {

    static RedisServer secured;

    @BeforeAll
    static void start() {
        secured = RedisServer.builder().password("s3cret-pw").user("app", "app-pw").start();
    }

    @AfterAll
    static void stop() {
        secured.close();
    }

    private static int unusedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void unreachableRedisGivesOneClearRetriableMessage() throws Exception {
        int port = unusedPort();
        assertThatThrownBy(() -> JedisConnection.open(RedisEndpoint.parse("redis://:pw-never-shown@127.0.0.1:" + port)))
                .isInstanceOf(QueueException.class)
                .hasMessageStartingWith("cannot reach Redis at redis://:***@127.0.0.1:" + port)
                .hasMessageNotContaining("pw-never-shown")
                .satisfies(e -> assertThat(((QueueException) e).isRetriable()).isTrue());
    }

    @Test
    void wrongPasswordIsAnAuthFailureThatNamesTheUserButNotThePassword() {
        RedisEndpoint endpoint = RedisEndpoint.builder(secured.uri()).user("app").password("wrong-pw").build();
        assertThatThrownBy(() -> JedisConnection.open(endpoint))
                .isInstanceOf(QueueException.class)
                .hasMessageContaining("refused the credentials of user 'app'")
                .hasMessageNotContaining("wrong-pw")
                .satisfies(e -> assertThat(((QueueException) e).kind()).isEqualTo(QueueException.Kind.AUTH));
    }

    @Test
    void aclUserAndDefaultPasswordBothLogIn() {
        try (JedisConnection app = JedisConnection.open(RedisEndpoint.builder(secured.uri()).user("app").password("app-pw").build());
             JedisConnection admin = JedisConnection.open(RedisEndpoint.builder(secured.uri()).password("s3cret-pw").build())) {
            app.ping();
            admin.ping();
        }
    }

    @Test
    void workerAgainstAnUnreachableRedisLogsTheOutageOnceWithoutStackTraces() throws Exception {
        Logger log = (Logger) LoggerFactory.getLogger(QueueConsumer.class);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        log.addAppender(events);
        try (JedisConnection nowhere = JedisConnection.openLazily(RedisEndpoint.parse("redis://127.0.0.1:" + unusedPort() + "?timeout=200"))) {
            RedisQueue queue = new RedisQueue(nowhere, QueueConfig.builder("orders").build());
            QueueWorker worker = QueueWorker.start(queue, d -> { }, 3, 10);
            await().atMost(Duration.ofSeconds(10)).until(() -> !events.list.isEmpty());
            Thread.sleep(2000);
            worker.stop(Duration.ofSeconds(5));
        } finally {
            log.detachAppender(events);
        }
        // three threads retried for two seconds: dozens of failures, logged as one outage (a second line only
        // if the failure itself changed)
        assertThat(events.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).hasSizeBetween(1, 2)
                .allSatisfy(e -> {
                    assertThat(e.getThrowableProxy()).isNull();
                    assertThat(e.getFormattedMessage()).contains("cannot reach Redis at redis://127.0.0.1:");
                });
    }
}
