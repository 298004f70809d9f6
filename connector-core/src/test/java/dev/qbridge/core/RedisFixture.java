package dev.qbridge.core;

import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServerExtension;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.RedisClient;

/**
 * A real redis-server per test class, flushed before each test, and one pooled qbridge connection to it:
 * {@code @RegisterExtension static RedisFixture redis = RedisFixture.standalone();}
 */
public final class RedisFixture implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final RedisServerExtension server;
    private JedisConnection connection;

    private RedisFixture(RedisServerExtension server) {
        this.server = server;
    }

    public static RedisFixture standalone() {
        return new RedisFixture(RedisServerExtension.standalone());
    }

    /** With AOF and appendfsync always, for tests that kill and restart Redis. */
    public static RedisFixture withAof() {
        return new RedisFixture(RedisServerExtension.withAof());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        server.beforeAll(context);
        connection = JedisConnection.open(RedisEndpoint.parse(server.uri()));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        server.beforeEach(context);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        server.afterEach(context);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        connection.close();
        server.afterAll(context);
    }

    /** The qbridge connection under test. */
    public JedisConnection connection() {
        return connection;
    }

    /** A plain Jedis client, for issuing the guide's raw commands and checking keys. */
    public RedisClient client() {
        return server.client();
    }

    public String uri() {
        return server.uri();
    }

    public void flushAll() {
        server.flushAll();
    }

    /** kill -9, and leave it down until {@link #restart()}. */
    public void kill() {
        server.server().kill();
    }

    /** kill -9 and start again on the same port and data directory. */
    public void restart() {
        server.restart();
    }
}
