package dev.qbridge.server.cli;

import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueKeys;
import dev.qbridge.core.redis.RedisConnection;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The payloads a queue holds in each state, read from its keys: tests compare these sets of jobs, never sums of
 * counts (two wrongs of opposite sign add up to the right count).
 */
record SourceJobs(List<String> ready, List<String> retrying, List<String> inFlight, List<String> dead) {

    static SourceJobs of(RedisConnection redis, String queue) {
        QueueKeys keys = new QueueKeys(queue);
        List<String> ready = redis.type(keys.ready()).equals("zset")
                ? text(new ArrayList<>(redis.zrangeWithScores(keys.ready(), 0, -1).keySet()))
                : text(redis.lrange(keys.ready(), 0, -1));
        List<String> retrying = new ArrayList<>(leased(redis, queue, keys.retry()));
        redis.lrange(keys.reaped(), 0, -1).forEach(m -> retrying.add(Delivery.parse(queue, m, 0).payloadAsString()));
        return new SourceJobs(ready, retrying, leased(redis, queue, keys.leases()),
                redis.lrange(keys.dead(), 0, -1).stream().map(e -> new String(DeadLetter.parse(e).payload(),
                        StandardCharsets.UTF_8)).toList());
    }

    /** Jobs a consumer can take now or after a retry backoff: ready and retrying (the retry zset and q:reaped). */
    List<String> waiting() {
        List<String> all = new ArrayList<>(ready);
        all.addAll(retrying);
        return all;
    }

    private static List<String> leased(RedisConnection redis, String queue, byte[] key) {
        return redis.zrangeWithScores(key, 0, -1).keySet().stream()
                .map(member -> Delivery.parse(queue, member, 0).payloadAsString()).toList();
    }

    private static List<String> text(List<byte[]> payloads) {
        return payloads.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }
}
