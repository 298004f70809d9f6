package dev.qbridge.core.redis;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.QueueException.Kind;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.ListDirection;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisMovedDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.exceptions.JedisNoScriptException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;
import redis.clients.jedis.resps.Tuple;
import redis.clients.jedis.util.JedisClusterCRC16;

/** {@link RedisConnection} on Jedis 8: a pooled {@link RedisClient} or a {@link RedisClusterClient}. */
public final class JedisConnection implements RedisConnection {

    private final RedisEndpoint endpoint;
    private final UnifiedJedis jedis;
    private final RedisClusterClient cluster;
    private final RedisTls tls;

    private JedisConnection(RedisEndpoint endpoint, UnifiedJedis jedis, RedisClusterClient cluster, RedisTls tls) {
        this.endpoint = endpoint;
        this.jedis = jedis;
        this.cluster = cluster;
        this.tls = tls;
    }

    /** Opens a pool to the endpoint and checks it answers (and accepts the credentials) with a PING. */
    public static JedisConnection open(RedisEndpoint endpoint) {
        JedisConnection connection = openLazily(endpoint);
        try {
            connection.ping();
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
        return connection;
    }

    /** Opens a pool without contacting Redis; the first command reports whether it is reachable. */
    public static JedisConnection openLazily(RedisEndpoint endpoint) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP2)
                .connectionTimeoutMillis(endpoint.timeoutMillis())
                .socketTimeoutMillis(endpoint.timeoutMillis())
                // a blocked BLMOVE must still notice a dead peer: never block longer than the socket timeout
                .blockingSocketTimeoutMillis(endpoint.timeoutMillis() + 1000)
                .database(endpoint.database())
                // CLIENT SETINFO is one more command to grant a least-privilege user (docs/PROTOCOL.md, "ACL"), and
                // Redis before 7.2 cannot even name it in an ACL rule; the client name identifies us in CLIENT LIST
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                .ssl(endpoint.isTls());
        endpoint.user().ifPresent(config::user);
        endpoint.password().ifPresent(config::password);
        endpoint.clientName().ifPresent(config::clientName);
        RedisTls tls = endpoint.isTls() ? RedisTls.of(endpoint) : null;
        if (tls != null) {
            config.sslSocketFactory(tls.socketFactory()).sslParameters(tls.parameters());
        }
        GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
        pool.setMaxTotal(endpoint.poolSize());
        pool.setMaxIdle(endpoint.poolSize());
        pool.setMinIdle(0);
        pool.setMaxWait(Duration.ofMillis(endpoint.timeoutMillis()));
        pool.setJmxEnabled(false);
        try {
            if (endpoint.isCluster()) {
                Set<HostAndPort> seeds = new LinkedHashSet<>();
                endpoint.nodes().forEach(n -> seeds.add(new HostAndPort(n.host(), n.port())));
                RedisClusterClient client = RedisClusterClient.builder()
                        .nodes(seeds)
                        .clientConfig(config.build())
                        .poolConfig(pool)
                        .maxAttempts(5)
                        .maxTotalRetriesDuration(Duration.ofMillis(endpoint.timeoutMillis() * 2L))
                        .build();
                return new JedisConnection(endpoint, client, client, tls);
            }
            RedisEndpoint.Node node = endpoint.nodes().get(0);
            RedisClient client = RedisClient.builder()
                    .hostAndPort(node.host(), node.port())
                    .clientConfig(config.build())
                    .poolConfig(pool)
                    .build();
            return new JedisConnection(endpoint, client, null, tls);
        } catch (JedisException e) {
            throw translate(endpoint, tls, e, Operation.CONNECT);
        }
    }

    @Override
    public Object eval(LuaScript script, List<byte[]> keys, List<byte[]> args) {
        Operation op = new Operation("EVALSHA", script, "", keys);
        if (cluster != null && !keys.isEmpty()) {
            return call(op, () -> once(keys.get(0), node -> {
                try {
                    return node.evalsha(script.sha1Hex(), keys, args);
                } catch (JedisNoScriptException e) {
                    return node.eval(script.source(), keys, args);
                }
            }));
        }
        return call(op, () -> {
            try {
                return jedis.evalsha(script.sha1Hex(), keys, args);
            } catch (JedisNoScriptException e) {
                return jedis.eval(script.source(), keys, args);
            }
        });
    }

    @Override
    public long lpush(byte[] key, List<byte[]> values) {
        byte[][] array = values.toArray(new byte[0][]);
        Operation op = Operation.on("LPUSH", key);
        if (cluster != null) {
            return call(op, () -> once(key, node -> node.lpush(key, array)));
        }
        return call(op, () -> jedis.lpush(key, array));
    }

    /**
     * Sends a command that must not run twice (a script, an LPUSH) to the node of its key's slot, exactly once. The
     * cluster client resends a command whose reply did not arrive (a read timeout), and a take or a push that ran
     * before its reply was lost would then lease or push its jobs twice; here such a failure reaches the caller,
     * which knows whether trying again is safe. A redirection (MOVED) is followed: the node refused the command, so
     * it did not run.
     */
    private <T> T once(byte[] key, Function<Jedis, T> command) {
        int slot = JedisClusterCRC16.getSlot(key);
        for (int redirects = 0; ; redirects++) {
            try (Connection c = cluster.getConnectionFromSlot(slot); Jedis node = new Jedis(c)) {
                return command.apply(node);
            } catch (JedisMovedDataException e) {
                if (redirects >= 5) {
                    throw e;
                }
                cluster.refreshClusterTopology();
            }
        }
    }

    @Override
    public long zrem(byte[] key, List<byte[]> members) {
        return call(Operation.on("ZREM", key), () -> jedis.zrem(key, members.toArray(new byte[0][])));
    }

    @Override
    public boolean awaitNotEmpty(byte[] key, Duration timeout) {
        double seconds = Math.max(0.01, Math.min(timeout.toMillis(), endpoint.timeoutMillis()) / 1000.0);
        return call(Operation.on("BLMOVE", key),
                () -> jedis.blmove(key, key, ListDirection.RIGHT, ListDirection.RIGHT, seconds) != null);
    }

    @Override
    public String type(byte[] key) {
        return call(Operation.on("TYPE", key), () -> jedis.type(key));
    }

    @Override
    public List<String> scanKeys(String pattern, int limit) {
        return call(new Operation("SCAN", null, "MATCH " + pattern, List.of()), () -> {
            List<String> keys = new ArrayList<>();
            if (cluster != null) {
                for (var pool : cluster.getClusterNodes().values()) {
                    try (Connection c = pool.getResource(); var node = new redis.clients.jedis.Jedis(c)) {
                        scan(node::scan, pattern, limit, keys);
                    }
                }
            } else {
                scan(jedis::scan, pattern, limit, keys);
            }
            return keys;
        });
    }

    private interface Scanner {
        ScanResult<String> scan(String cursor, ScanParams params);
    }

    private static void scan(Scanner scanner, String pattern, int limit, List<String> into) {
        ScanParams params = new ScanParams().match(pattern).count(1000);
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = scanner.scan(cursor, params);
            for (String key : page.getResult()) {
                if (into.size() >= limit) {
                    return;
                }
                into.add(key);
            }
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    }

    @Override
    public List<byte[]> lrange(byte[] key, long start, long stop) {
        return call(Operation.on("LRANGE", key), () -> jedis.lrange(key, start, stop));
    }

    @Override
    public long llen(byte[] key) {
        return call(Operation.on("LLEN", key), () -> jedis.llen(key));
    }

    @Override
    public long zcard(byte[] key) {
        return call(Operation.on("ZCARD", key), () -> jedis.zcard(key));
    }

    @Override
    public List<byte[]> smembers(byte[] key) {
        return call(Operation.on("SMEMBERS", key), () -> new ArrayList<>(jedis.smembers(key)));
    }

    @Override
    public Map<byte[], Double> zrangeWithScores(byte[] key, long start, long stop) {
        return call(Operation.on("ZRANGE", key), () -> {
            Map<byte[], Double> out = new LinkedHashMap<>();
            for (Tuple t : jedis.zrangeWithScores(key, start, stop)) {
                out.put(t.getBinaryElement(), t.getScore());
            }
            return out;
        });
    }

    @Override
    public long del(List<byte[]> keys) {
        return call(new Operation("DEL", null, "", keys), () -> jedis.del(keys.toArray(new byte[0][])));
    }

    @Override
    public void ping() {
        call(Operation.PING, jedis::ping);
    }

    @Override
    public boolean isCluster() {
        return cluster != null;
    }

    @Override
    public int slot(byte[] key) {
        return cluster == null ? 0 : JedisClusterCRC16.getSlot(key);
    }

    @Override
    public RedisEndpoint endpoint() {
        return endpoint;
    }

    /** The pool of a standalone connection, for tests and tools that need more than this interface. */
    public UnifiedJedis jedis() {
        return jedis;
    }

    @Override
    public void close() {
        try {
            jedis.close();
        } catch (RuntimeException ignored) {
            // closing a pool whose server is gone must not hide the error that made us close it
        }
    }

    /**
     * A command, the script it runs (or null) and the keys it names, for messages that say which permission is
     * missing; the text is only built when one is.
     */
    record Operation(String command, LuaScript script, String detail, List<byte[]> keys) {
        static final Operation CONNECT = new Operation("connect", null, "", List.of());
        static final Operation PING = new Operation("PING", null, "", List.of());

        static Operation on(String command, byte[] key) {
            return new Operation(command, null, "", List.of(key));
        }

        String describe() {
            String what = script != null ? "script " + script.name() + ", which calls " + String.join(" ", script.commands())
                    : detail;
            return command + (what.isEmpty() ? "" : " (" + what + ")")
                    + (keys.isEmpty() ? "" : " on key" + (keys.size() > 1 ? "s " : " ") + keyNames());
        }

        private String keyNames() {
            List<String> names = new ArrayList<>(keys.size());
            keys.forEach(k -> names.add(new String(k, StandardCharsets.UTF_8)));
            return String.join(", ", names);
        }
    }

    private <T> T call(Operation op, Supplier<T> command) {
        try {
            T result = command.get();
            if (tls != null) {
                tls.served();
            }
            return result;
        } catch (JedisException e) {
            if (tls != null && e instanceof JedisDataException) {
                tls.served(); // Redis answered: the handshake works
            }
            throw translate(endpoint, tls, e, op);
        } catch (IllegalStateException e) {
            // commons-pool reports an exhausted or closed pool this way
            throw new QueueException(Kind.CONNECTION, "no Redis connection to " + endpoint + " available: " + e.getMessage(), e);
        }
    }

    /** The one place where Jedis exceptions become queue exceptions with messages that say what to do. */
    static QueueException translate(RedisEndpoint endpoint, RedisTls tls, JedisException e, Operation op) {
        String message = firstLine(e.getMessage());
        if (isAclRefusal(message)) {
            // logged in, but the ACL user may not run this command (or one a script calls) on these keys: not a
            // password problem, and waiting never mends it
            return new QueueException(Kind.PERMISSION, "the Redis user '" + endpoint.user().orElse("default") + "' at "
                    + endpoint + " lacks a permission for " + op.describe() + ": " + message
                    + "; grant it (docs/PROTOCOL.md, \"ACL of a qbridge user\", gives the whole rule)", e);
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof JedisAccessControlException) {
                return new QueueException(Kind.AUTH, "Redis at " + endpoint + " refused the credentials"
                        + endpoint.user().map(u -> " of user '" + u + "'").orElse("") + " (" + firstLine(t.getMessage())
                        + "); check the user and password", e);
            }
        }
        if (e instanceof JedisConnectionException || e instanceof JedisClusterOperationException) {
            if (tls != null) {
                var handshake = tls.diagnose(e, nodes(endpoint));
                if (handshake.isPresent()) {
                    return handshake.get();
                }
            }
            String cause = e.getCause() != null ? firstLine(e.getCause().getMessage()) : message;
            return new QueueException(Kind.CONNECTION, "cannot reach Redis at " + endpoint + ": " + cause, e);
        }
        if (e instanceof JedisRedirectionException) {
            return new QueueException(Kind.UNAVAILABLE, "Redis Cluster at " + endpoint + " is moving a slot: " + message, e);
        }
        if (e instanceof JedisDataException) {
            String upper = message.toUpperCase(Locale.ROOT);
            if (upper.startsWith("WRONGTYPE")) {
                return new QueueException(Kind.WRONG_TYPE, message, e);
            }
            if (upper.startsWith("NOAUTH") || upper.startsWith("WRONGPASS")) {
                return new QueueException(Kind.AUTH, "Redis at " + endpoint + " refused us: " + message
                        + "; check the user and password", e);
            }
            if (upper.startsWith("LOADING") || upper.startsWith("BUSY") || upper.startsWith("TRYAGAIN")
                    || upper.startsWith("CLUSTERDOWN") || upper.startsWith("MASTERDOWN") || upper.startsWith("READONLY")) {
                return new QueueException(Kind.UNAVAILABLE, "Redis at " + endpoint + " is not serving yet: " + message, e);
            }
            if (upper.contains("CROSSSLOT")) {
                return new QueueException(Kind.CONFIG, "Redis Cluster at " + endpoint + " refused keys of several slots: "
                        + message + "; give every key of a queue the same hash tag, such as {orders}", e);
            }
        }
        return new QueueException(Kind.REDIS, "Redis at " + endpoint + " answered an error: " + message, e);
    }

    /**
     * NOPERM for a command or key refused to the user; inside a script Redis 7.0 answers "ERR The user executing the
     * script can't run this command or subcommand" (or, for a key, "can't access at least one of the keys mentioned
     * in the command arguments"), later versions "ERR ACL failure in script: ...".
     */
    private static boolean isAclRefusal(String message) {
        String upper = message.toUpperCase(Locale.ROOT);
        return upper.startsWith("NOPERM") || upper.contains("CAN'T RUN THIS COMMAND OR SUBCOMMAND")
                || upper.contains("CAN'T ACCESS AT LEAST ONE OF THE KEYS")
                || upper.contains("ACL FAILURE") || upper.contains("NO PERMISSIONS TO");
    }

    private static String nodes(RedisEndpoint endpoint) {
        List<String> nodes = new ArrayList<>();
        endpoint.nodes().forEach(n -> nodes.add(n.toString()));
        return String.join(",", nodes);
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "no detail";
        }
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
