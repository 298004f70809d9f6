package dev.qbridge.core.redis;

import dev.qbridge.core.script.LuaScript;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The few Redis operations the queues need, behind one narrow interface so that the client library's
 * exceptions are translated once, into {@link dev.qbridge.core.QueueException}, in one place.
 * Implementations are thread-safe and pool their connections.
 */
public interface RedisConnection extends AutoCloseable {

    /** Runs a script by its SHA-1, loading it first when the server does not have it. */
    Object eval(LuaScript script, List<byte[]> keys, List<byte[]> args);

    /** LPUSH of many values in one command; returns the list's new length. */
    long lpush(byte[] key, List<byte[]> values);

    /** ZREM of many members in one command; returns how many were removed. */
    long zrem(byte[] key, List<byte[]> members);

    /**
     * Blocks until the list {@code key} holds an element or the timeout passes, removing nothing:
     * {@code BLMOVE key key RIGHT RIGHT} moves the tail onto itself, so the job never leaves the list.
     * Blocks at most the endpoint's timeout. Returns true when the list was non-empty.
     */
    boolean awaitNotEmpty(byte[] key, Duration timeout);

    /** The type of a key as TYPE answers it: none, string, list, set, zset, hash or stream. */
    String type(byte[] key);

    /** Keys matching a glob pattern, scanned incrementally (on every master of a cluster). */
    List<String> scanKeys(String pattern, int limit);

    /** Elements {@code start..stop} of a list (LRANGE). */
    List<byte[]> lrange(byte[] key, long start, long stop);

    /** The length of a list (LLEN); 0 when absent. */
    long llen(byte[] key);

    /** The number of members of a sorted set (ZCARD); 0 when absent. */
    long zcard(byte[] key);

    /** The members of a set (SMEMBERS): a job system's list of its queues. */
    List<byte[]> smembers(byte[] key);

    /** Members {@code start..stop} of a sorted set with their scores, lowest first (ZRANGE WITHSCORES). */
    Map<byte[], Double> zrangeWithScores(byte[] key, long start, long stop);

    /** Deletes keys (in a cluster, keys of one slot); returns how many existed. */
    long del(List<byte[]> keys);

    /** PING; throws the translated exception when Redis cannot be reached or refuses us. */
    void ping();

    /** True for a Redis Cluster: every script must then touch keys of one slot. */
    boolean isCluster();

    /** The hash slot of a key (0 for a standalone server). */
    int slot(byte[] key);

    /** Where this connection points, without secrets. */
    RedisEndpoint endpoint();

    @Override
    void close();
}
