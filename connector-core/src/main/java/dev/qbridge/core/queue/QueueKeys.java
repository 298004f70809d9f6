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
 *   extra ready lists lists served after q, in their order, when the queue has some
 *                     ({@link QueueConfig#extraReadyLists()}: a job system's further lists of one queue, such as
 *                     Celery's priority lists {@code celery\x06\x163}, {@code celery\x06\x166}, ...)
 * </pre>
 * In a Redis Cluster, name the queue with a hash tag ({@code {orders}}) so that all its keys share a slot; the extra
 * ready lists must share it too. A registry set ({@link QueueConfig#registry()}) is not a key of the queue: it is
 * written with the push, so on a cluster it must share the slot as well. A queue whose ready jobs sit in a sorted set
 * shared with other queues (Sidekiq's {@code schedule}) has that set as its ready key and the other keys named after
 * it, as above.
 *
 * @param name            the queue's name, from which every key but the ready key of a shared set is derived
 * @param readyKey        the key of its ready jobs: the name itself, or the shared set
 * @param extraReadyLists further ready lists, served after the ready key
 */
public record QueueKeys(String name, String readyKey, List<String> extraReadyLists) {

    public QueueKeys {
        extraReadyLists = List.copyOf(extraReadyLists);
    }

    /** The keys of a queue with no extra ready lists. */
    public QueueKeys(String name) {
        this(name, name, List.of());
    }

    /** The keys of a queue whose ready key is its name, with extra ready lists. */
    public QueueKeys(String name, List<String> extraReadyLists) {
        this(name, name, extraReadyLists);
    }

    /** The keys of a queue whose ready jobs sit in a sorted set shared with other queues. */
    public QueueKeys(String name, String readyKey) {
        this(name, readyKey, List.of());
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

    /** The extra ready lists, in the order they are served. */
    public List<byte[]> extraReady() {
        return extraReadyLists.stream().map(QueueKeys::bytes).toList();
    }

    /** Every key of the queue, for slot checks. */
    public List<byte[]> all() {
        return withExtras(List.of(ready(), leases(), retry(), reaped(), dead(), sequence(), processing(), processingSeen()));
    }

    /**
     * The keys that hold jobs (all but the id counter), for purges: ids are never reused. A shared ready key is not
     * among them: it holds other queues' jobs.
     */
    public List<byte[]> jobs() {
        List<byte[]> own = List.of(leases(), retry(), reaped(), dead(), processing(), processingSeen());
        if (sharedReady()) {
            return withExtras(own);
        }
        List<byte[]> all = new ArrayList<>(own.size() + 1);
        all.add(ready());
        all.addAll(own);
        return withExtras(all);
    }

    /** The names of the keys derived from the queue's name (not the extra lists), for configuration checks. */
    List<String> names() {
        return List.of(name, name + ":leases", name + ":retry", name + ":reaped", name + ":dead", name + ":seq",
                name + ":processing", name + ":processing:seen");
    }

    private List<byte[]> withExtras(List<byte[]> keys) {
        if (extraReadyLists.isEmpty()) {
            return keys;
        }
        List<byte[]> all = new ArrayList<>(keys);
        all.addAll(extraReady());
        return List.copyOf(all);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
