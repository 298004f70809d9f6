package dev.qbridge.testkit;

import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.RedisClient;

/**
 * One real {@link RedisServer} per test class, emptied with FLUSHALL before each test so tests stay independent.
 *
 * <pre>{@code
 * @RegisterExtension
 * static RedisServerExtension redis = RedisServerExtension.standalone();
 * }</pre>
 *
 * Without JUnit: {@code RedisServerExtension.standalone().start()} ... {@code close()}.
 */
public final class RedisServerExtension extends ClassScopedExtension<RedisServer> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisServerExtension.class);

    private final Supplier<RedisServer> starter;

    private RedisServerExtension(Supplier<RedisServer> starter) {
        this.starter = starter;
    }

    /** Persistence off. */
    public static RedisServerExtension standalone() {
        return new RedisServerExtension(RedisServer::start);
    }

    /** AOF with fsync always, for tests that {@link #restart()} the server and expect their data back. */
    public static RedisServerExtension withAof() {
        return new RedisServerExtension(RedisServer::startWithAof);
    }

    /** Any options, e.g. {@code RedisServerExtension.of(RedisServer.builder().password(pw))}. */
    public static RedisServerExtension of(RedisServer.Builder builder) {
        return new RedisServerExtension(builder::start);
    }

    /** Starts the server now (a no-op if it runs); for use without JUnit. */
    public RedisServerExtension start() {
        startFixture();
        return this;
    }

    public RedisServer server() {
        return fixture();
    }

    public String host() {
        return server().host();
    }

    public int port() {
        return server().port();
    }

    public String uri() {
        return server().uri();
    }

    public RedisClient client() {
        return server().client();
    }

    public void flushAll() {
        server().flushAll();
    }

    /** kill -9 and start again on the same port and dir; see {@link RedisServer#restart()}. */
    public RedisServer restart() {
        return server().restart();
    }

    @Override
    protected RedisServer create() {
        return starter.get();
    }

    @Override
    protected void reset(RedisServer server) {
        if (!server.isRunning()) { // a previous test killed it: the next one still gets a server
            LOG.info("redis-server on {} is not running, restarting it for the next test", server.uri());
            server.restart();
        }
        server.flushAll();
    }
}
