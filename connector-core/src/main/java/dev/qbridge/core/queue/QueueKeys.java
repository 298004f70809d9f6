package dev.qbridge.core.queue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
 * A queue whose ready jobs sit in a sorted set shared with other queues (Sidekiq's {@code schedule}) has that set
 * as its ready key and the other keys named after it, as above.
 *
 * @param name     the queue's name, from which every key but the ready key of a shared set is derived
 * @param readyKey the key of its ready jobs: the name itself, or the shared set
 */
public record QueueKeys(String name, String readyKey) {

    public QueueKeys(String name) {
        this(name, name);
    }

    public byte[] ready() {
        return bytes(readyKey);
    }

    /** True when the ready key holds other queues' jobs too: it is never deleted, only this queue's members. */
    public boolean sharedReady() {
        return !readyKey.equals(name);
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

    /**
     * The keys that hold jobs (all but the id counter), for purges: ids are never reused. A shared ready key is not
     * among them: it holds other queues' jobs.
     */
    public List<byte[]> jobs() {
        List<byte[]> own = List.of(leases(), retry(), reaped(), dead(), processing(), processingSeen());
        if (sharedReady()) {
            return own;
        }
        List<byte[]> all = new ArrayList<>(own.size() + 1);
        all.add(ready());
        all.addAll(own);
        return all;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
