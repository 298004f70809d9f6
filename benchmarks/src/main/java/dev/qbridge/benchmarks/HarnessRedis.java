package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import redis.clients.jedis.UnifiedJedis;

/**
 * The harness's redis-server as the bridge rows use it: the core's connection, a plain client for checks, the URI
 * the bridges are configured with, and the size of the payloads every row moves.
 */
record HarnessRedis(RedisConnection redis, UnifiedJedis jedis, String uri, int payloadBytes) {

    /**
     * A reliable queue holding {@code jobs} distinct payloads, on an otherwise empty server, so that the previous
     * row's keys weigh on nothing; filled in chunks of 10,000 before any clock starts.
     */
    RedisQueue preloaded(String name, int jobs) {
        jedis.flushAll();
        RedisQueue queue = new RedisQueue(redis, QueueConfig.builder(name).build());
        Payloads.fill(queue, jobs, payloadBytes);
        return queue;
    }

    CpuMeter cpuMeter() {
        return new CpuMeter(jedis);
    }
}
