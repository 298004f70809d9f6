package dev.qbridge.testkit;

import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;

/**
 * One real 3-master {@link RedisCluster} per test class, flushed on every master before each test. Where a cluster
 * cannot run (no redis-cli, e.g. with the embedded Redis fallback), the test class is skipped with a message that
 * says why, instead of failing or passing silently.
 *
 * <pre>{@code
 * @RegisterExtension
 * static RedisClusterExtension cluster = RedisClusterExtension.threeMasters();
 * }</pre>
 */
public final class RedisClusterExtension extends ClassScopedExtension<RedisCluster> {
    private static final Logger LOG = LoggerFactory.getLogger(RedisClusterExtension.class);

    private final Supplier<RedisCluster> starter;
    private volatile String unavailable;

    RedisClusterExtension(Supplier<RedisCluster> starter) {
        this.starter = starter;
    }

    public static RedisClusterExtension threeMasters() {
        return new RedisClusterExtension(RedisCluster::start);
    }

    /** At least 3 masters, no replicas. */
    public static RedisClusterExtension masters(int masters) {
        return new RedisClusterExtension(() -> RedisCluster.start(masters));
    }

    /** Starts the cluster now; for use without JUnit (throws {@link RedisUnavailableException} where it cannot run). */
    public RedisClusterExtension start() {
        startFixture();
        return this;
    }

    public RedisCluster cluster() {
        return fixture();
    }

    public List<HostAndPort> nodes() {
        return cluster().nodes();
    }

    public List<String> seedUris() {
        return cluster().seedUris();
    }

    public RedisClusterClient client() {
        return cluster().client();
    }

    public void flushAll() {
        cluster().flushAll();
    }

    /**
     * A cluster that cannot run here is remembered, and each test is aborted in {@link #beforeEach}: Surefire and
     * Failsafe then count every test as skipped, where an aborted beforeAll would show as "Tests run: 0".
     */
    @Override
    public void beforeAll(ExtensionContext context) {
        try {
            super.beforeAll(context);
        } catch (RedisUnavailableException e) {
            LOG.warn("Skipping the tests of {}: {}", context.getDisplayName(), e.getMessage());
            unavailable = e.getMessage();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        abortIfUnavailable();
        try {
            super.beforeEach(context);
        } catch (RedisUnavailableException e) {
            unavailable = e.getMessage();
            abortIfUnavailable();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        unavailable = null;
        super.afterAll(context);
    }

    @Override
    protected RedisCluster fixture() {
        abortIfUnavailable(); // e.g. a @BeforeAll method that uses the client: skip, do not fail
        return super.fixture();
    }

    private void abortIfUnavailable() {
        String reason = unavailable;
        if (reason != null) {
            Unavailable.skipOrFail("Redis Cluster is not available here: " + reason);
        }
    }

    @Override
    protected RedisCluster create() {
        return starter.get();
    }

    @Override
    protected void reset(RedisCluster cluster) {
        cluster.flushAll();
    }
}
