package dev.qbridge.server.cli;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SystemQueue;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Finds the queues in a Redis and tells their kind from what Redis holds, since the protocol stores no kind:
 * a list is a reliable queue; a sorted set whose lowest score looks like an epoch time (after 2001) is a delayed
 * queue, any other sorted set a priority queue. A {@code --kind} option overrides the guess.
 */
final class QueueInspector {

    /** Suffixes of the keys a queue derives from its name (docs/PROTOCOL.md). */
    static final List<String> DERIVED_SUFFIXES = List.of(":leases", ":retry", ":reaped", ":dead", ":seq",
            ":processing:seen", ":processing");

    /** Epoch seconds of 2001-09-09: scores above it are due times, not priorities (which stay within +-2,000,000). */
    private static final double EPOCH_SECONDS_FLOOR = 1_000_000_000d;
    private static final double EPOCH_MILLIS_FLOOR = 1_000_000_000_000d;

    /** Sidekiq's set of its queue names, and its sorted sets that hold the jobs of every queue. */
    static final String SIDEKIQ_QUEUES = "queues";
    static final List<String> SIDEKIQ_SETS = List.of("schedule", "retry", "dead");
    /** RQ's set of its queues' keys ({@code rq:queue:<q>}), and the prefix of those keys. */
    static final String RQ_QUEUES = "rq:queues";
    private static final String RQ_QUEUE_PREFIX = "rq:queue:";
    /**
     * RQ's registries of a queue, sorted sets of job ids by time ({@code rq:<registry>:<q>}): not guide-style queues. The
     * scheduled and failed ones are the queue's sets {@code scheduled} and {@code dead}.
     */
    static final List<String> RQ_REGISTRIES = List.of("scheduled", "failed", "wip", "finished", "deferred", "canceled");
    /** Most keys a look for a job system's list of queues scans, as list does by default. */
    private static final int SCAN_LIMIT = 100_000;
    private static final String KOMBU_BINDINGS = "_kombu.binding.*";
    private static final String KOMBU_SEPARATOR = "\u0006\u0016";

    private final RedisConnection redis;

    QueueInspector(RedisConnection redis) {
        this.redis = redis;
    }

    /** Names of the queues whose keys match {@code pattern}, sorted; at most {@code limit} keys are scanned. */
    TreeSet<String> queueNames(String pattern, int limit) {
        TreeSet<String> names = new TreeSet<>();
        for (String key : redis.scanKeys(pattern, limit)) {
            Optional<String> base = baseOf(key);
            if (base.isPresent()) {
                names.add(base.get());
                continue;
            }
            String type = redis.type(bytes(key));
            if (type.equals("list") || type.equals("zset")) {
                names.add(key);
            }
        }
        return names;
    }

    /**
     * The job systems' queues this Redis holds, as their systems list them: Sidekiq's {@code queues} set, RQ's
     * {@code rq:queues} set (of {@code rq:queue:<q>} keys), and the queues kombu bound for Celery ({@code _kombu.binding.<exchange>} sets of {@code key\x06\x16pattern\x06\x16queue}).
     */
    List<SystemQueue> systemQueues(int limit) {
        TreeMap<String, SystemQueue> found = new TreeMap<>();
        // found by SCAN first, which names keys whatever a user may read: no refused TYPE in the ACL log when none is there
        if (!redis.scanKeys(SIDEKIQ_QUEUES, limit).isEmpty() && readable(SIDEKIQ_QUEUES, "set")) {
            for (byte[] name : redis.smembers(bytes(SIDEKIQ_QUEUES))) {
                SystemQueue q = SystemQueue.ready(JobFormat.SIDEKIQ, string(name));
                found.put(q.readyKey(), q);
            }
        }
        if (!redis.scanKeys(RQ_QUEUES, limit).isEmpty() && readable(RQ_QUEUES, "set")) {
            for (byte[] member : redis.smembers(bytes(RQ_QUEUES))) {
                String key = string(member);
                if (key.startsWith(RQ_QUEUE_PREFIX) && key.length() > RQ_QUEUE_PREFIX.length()) {
                    SystemQueue q = SystemQueue.ready(JobFormat.RQ, key.substring(RQ_QUEUE_PREFIX.length()));
                    found.put(q.readyKey(), q);
                }
            }
        }
        for (String binding : redis.scanKeys(KOMBU_BINDINGS, limit)) {
            if (!readable(binding, "set")) {
                continue;
            }
            for (byte[] member : redis.smembers(bytes(binding))) {
                String[] parts = string(member).split(KOMBU_SEPARATOR, -1);
                if (parts.length == 3 && !parts[2].isEmpty()) {
                    SystemQueue q = SystemQueue.ready(JobFormat.CELERY, parts[2]);
                    found.put(q.readyKey(), q);
                }
            }
        }
        return List.copyOf(found.values());
    }

    /**
     * True when the job system lists {@code q}'s queue (Sidekiq's {@code queues} set, RQ's {@code rq:queues}, kombu's
     * bindings): such a queue
     * exists even when none of its sets holds a job, as the system's own tools show it. Scans for kombu's bindings.
     */
    boolean listed(SystemQueue q) {
        // RQ lists a queue, not its sets: a registry of a listed queue exists with it, as rq info shows it
        return systemQueues(SCAN_LIMIT).stream()
                .anyMatch(listed -> listed.format() == q.format() && listed.name().equals(q.name()));
    }

    /**
     * Sidekiq's sorted sets that this Redis holds and this user may read, each with its size (ZCARD): every queue's
     * jobs in it, counted without reading one.
     */
    Map<String, Long> sidekiqSets() {
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String set : SIDEKIQ_SETS) {
            if (readable(set, "zset")) {
                sizes.put(set, redis.zcard(bytes(set)));
            }
        }
        return sizes;
    }

    /**
     * The Sidekiq queue and set whose qbridge keys are named after {@code base} ({@code schedule:<q>} for
     * {@code schedule:<q>:leases}, ...), or empty when it is not such a name.
     */
    static Optional<SystemQueue> sidekiqShare(String base) {
        for (JobSet set : List.of(JobSet.SCHEDULED, JobSet.RETRY, JobSet.DEAD)) {
            String prefix = new SystemQueue(JobFormat.SIDEKIQ, "q", set).readyKey() + ":";
            if (base.startsWith(prefix) && base.length() > prefix.length()) {
                return Optional.of(new SystemQueue(JobFormat.SIDEKIQ, base.substring(prefix.length()), set));
            }
        }
        return Optional.empty();
    }

    /**
     * True when {@code key} holds a {@code type} this user may read: a user granted only its own queues' keys (the
     * least-privilege rule of PROTOCOL.md) has no job system's list of queues to read, which is no error.
     */
    private boolean readable(String key, String type) {
        try {
            return redis.type(bytes(key)).equals(type);
        } catch (QueueException e) {
            if (e.kind() == QueueException.Kind.PERMISSION) {
                return false;
            }
            throw e;
        }
    }

    /** The queue a derived key belongs to, or empty when {@code key} is not derived from a queue name. */
    static Optional<String> baseOf(String key) {
        for (String suffix : DERIVED_SUFFIXES) {
            if (key.endsWith(suffix) && key.length() > suffix.length()) {
                return Optional.of(key.substring(0, key.length() - suffix.length()));
            }
        }
        return Optional.empty();
    }

    /** The configuration of queue {@code name}: {@code kind} when given, else the guess described above. */
    QueueConfig config(String name, QueueKind kind) {
        QueueConfig.Builder b = QueueConfig.builder(name);
        if (kind != null) {
            b.kind(kind);
            if (kind == QueueKind.DELAYED) {
                b.dueTimeUnit(guessUnit(name));
            }
            return b.build();
        }
        String type = redis.type(bytes(name));
        if (type.equals("zset")) {
            Optional<Double> lowest = lowestScore(name);
            if (lowest.isPresent() && lowest.get() >= EPOCH_SECONDS_FLOOR) {
                b.kind(QueueKind.DELAYED).dueTimeUnit(lowest.get() >= EPOCH_MILLIS_FLOOR
                        ? DueTimeUnit.MILLISECONDS : DueTimeUnit.SECONDS);
            } else {
                b.kind(QueueKind.PRIORITY);
            }
        }
        return b.build();
    }

    private DueTimeUnit guessUnit(String name) {
        return lowestScore(name).filter(s -> s >= EPOCH_MILLIS_FLOOR).isPresent()
                ? DueTimeUnit.MILLISECONDS : DueTimeUnit.SECONDS;
    }

    private Optional<Double> lowestScore(String name) {
        if (!redis.type(bytes(name)).equals("zset")) {
            return Optional.empty();
        }
        Map<byte[], Double> first = redis.zrangeWithScores(bytes(name), 0, 0);
        return first.values().stream().findFirst();
    }

    static String string(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
