package dev.qbridge.camel;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServerExtension;
import java.time.Duration;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Camel route test against a real redis-server of its own (one per test class, emptied before each test), with a
 * connection through which the test pushes to and reads the queues its routes use.
 */
abstract class RedisqRouteTestSupport extends CamelTestSupport {

    @RegisterExtension
    static RedisServerExtension redis = RedisServerExtension.standalone();

    /** How long a test waits for a route to have done what it expects. */
    static final Duration WAIT = Duration.ofSeconds(30);

    JedisConnection connection;

    @BeforeEach
    void openConnection() {
        connection = JedisConnection.open(RedisEndpoint.parse(redis.uri()));
    }

    @AfterEach
    void closeConnection() {
        connection.close();
    }

    RedisQueue queue(String name) {
        return queue(name, QueueKind.RELIABLE);
    }

    RedisQueue queue(String name, QueueKind kind) {
        return new RedisQueue(connection, QueueConfig.builder(name).kind(kind).build());
    }
}
