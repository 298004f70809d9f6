package dev.qbridge.benchmarks.micro;

import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import dev.qbridge.testkit.RedisServer;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;
import redis.clients.jedis.UnifiedJedis;

/**
 * Every benchmark's own redis-server: started on a free port (never 127.0.0.1:6379) with persistence off
 * before the trial, killed and its temp dir deleted after it. Subclasses are {@code @State(Scope.Benchmark)},
 * so all benchmark threads share one server and one connection pool, like the threads of one connector.
 */
public abstract class RedisBenchmarkBase {

    protected RedisServer server;
    protected JedisConnection redis;
    /** The fixture's own client, for setup steps that are not queue operations (DEL, ZADD, LLEN). */
    protected UnifiedJedis admin;

    /** One trial-level setup for the whole hierarchy: JMH does not order several of them, so subclasses use {@link #prepare()}. */
    @Setup(Level.Trial)
    public final void startRedis() {
        server = RedisServer.start();
        if (server.port() == 6379) {
            throw new IllegalStateException("refusing to benchmark against 127.0.0.1:6379");
        }
        redis = JedisConnection.open(RedisEndpoint.parse("redis://127.0.0.1:" + server.port() + "?poolSize=16"));
        admin = server.client();
        prepare();
    }

    /** The subclass's trial setup, run once the server is up. */
    protected abstract void prepare();

    @TearDown(Level.Trial)
    public void stopRedis() {
        if (redis != null) {
            redis.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
