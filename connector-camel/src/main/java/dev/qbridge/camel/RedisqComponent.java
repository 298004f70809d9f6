package dev.qbridge.camel;

import dev.qbridge.core.redis.JedisConnection;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.redis.RedisEndpoint;
import java.util.HashMap;
import java.util.Map;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.util.URISupport;

/**
 * The {@code redisq:} component: reliable, priority and delayed Redis queues whose jobs are acked only when the
 * exchange that carries them succeeds. Endpoints of the same Redis share one connection pool.
 */
@Component("redisq")
public class RedisqComponent extends DefaultComponent {

    static {
        // Camel quotes an endpoint URI it refuses (an unknown option, a bad value) in its exceptions, masked by its
        // sanitizer, which knows password= but not a password inside the percent-encoded redisUri: it masks redisUri
        // whole (qbridge's own messages show it with only the password masked)
        URISupport.addSanitizeKeywords("redisUri");
    }

    @Metadata(description = "The Redis URI endpoints use when they name none: redis://host:port[/db], rediss:// for "
            + "TLS, redis-cluster://h1:p1,h2:p2 for a Redis Cluster.", defaultValue = "redis://localhost:6379")
    private String redisUri = "redis://localhost:6379";

    private final Map<RedisEndpoint, Shared> pools = new HashMap<>();

    private static final class Shared {
        final JedisConnection connection;
        int users;

        Shared(JedisConnection connection) {
            this.connection = connection;
        }
    }

    public String getRedisUri() {
        return redisUri;
    }

    /** The Redis URI endpoints use when they name none. */
    public void setRedisUri(String redisUri) {
        this.redisUri = redisUri;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        RedisqEndpoint endpoint = new RedisqEndpoint(uri, this, remaining);
        endpoint.setRedisUri(redisUri);
        setProperties(endpoint, parameters);
        endpoint.validate();
        return endpoint;
    }

    /** A pooled connection to {@code redis}, shared by every endpoint of this component that names the same Redis. */
    synchronized RedisConnection acquire(RedisEndpoint redis) {
        Shared shared = pools.get(redis);
        if (shared == null) {
            shared = new Shared(JedisConnection.openLazily(redis)); // a Redis down at start is waited out by the consumer
            pools.put(redis, shared);
        }
        shared.users++;
        return shared.connection;
    }

    synchronized void release(RedisEndpoint redis) {
        Shared shared = pools.get(redis);
        if (shared != null && --shared.users == 0) {
            pools.remove(redis);
            shared.connection.close();
        }
    }

    @Override
    protected synchronized void doStop() throws Exception {
        pools.values().forEach(s -> s.connection.close());
        pools.clear();
        super.doStop();
    }
}
