package dev.qbridge.core.queue;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The Redis keys of one queue named {@code q}. The ready key is the name itself, so that the guide's
 * plain {@code LPUSH q job} and {@code ZADD q score job} producers feed the queue unchanged.
 * <pre>
 *   q                 ready jobs: list (reliable) or sorted set (priority, delayed)
 *   q:leases          jobs being worked on: zset, member "id:attempt:score:payload", score = lease deadline (ms)
 *   q:retry           jobs waiting out a retry backoff (and, before issue 12, requeued by the reaper): zset,
 *                     score = due time (ms)
 *   q:reaped          jobs the reaper requeued after their lease expired, due now: list of lease members, served
 *                     first (a list because a requeued job needs no due time, and RPUSH costs less than ZADD)
 *   q:dead            dead letters: list of "id:attempt:score:failedAt:reasonLength:reason" + payload
 *   q:seq             counter that makes job ids unique
 *   q:processing      the guide's processing list, filled by foreign BRPOPLPUSH consumers
 *   q:processing:seen when the reaper first saw each payload in q:processing (hash, ms)
 * </pre>
 * In a Redis Cluster, name the queue with a hash tag ({@code {orders}}) so that all its keys share a slot.
 */
public record QueueKeys(String name) {

    public byte[] ready() {
        return bytes(name);
    }

    public byte[] leases() {
        return bytes(name + ":leases");
    }

    public byte[] retry() {
        return bytes(name + ":retry");
    }

    public byte[] reaped() {
        return bytes(name + ":reaped");
    }

    public byte[] dead() {
        return bytes(name + ":dead");
    }

    public byte[] sequence() {
        return bytes(name + ":seq");
    }

    public byte[] processing() {
        return bytes(name + ":processing");
    }

    public byte[] processingSeen() {
        return bytes(name + ":processing:seen");
    }

    /** Every key of the queue, for slot checks. */
    public List<byte[]> all() {
        return List.of(ready(), leases(), retry(), reaped(), dead(), sequence(), processing(), processingSeen());
    }

    /** The keys that hold jobs (all but the id counter), for purges: ids are never reused. */
    public List<byte[]> jobs() {
        return List.of(ready(), leases(), retry(), reaped(), dead(), processing(), processingSeen());
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
