package dev.qbridge.core.queue;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.retry.RetryPolicy;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Everything that defines how one queue behaves. Build with {@link #builder(String)}; every value has a
 * default that suits a guide-style queue, and {@link Builder#build()} rejects nonsense with a message
 * that names the setting.
 *
 * @param name            the ready key; the other keys are derived from it ({@link QueueKeys})
 * @param kind            reliable (list), priority or delayed (sorted sets)
 * @param leaseTimeout    how long a taken job stays invisible to other consumers before the reaper
 *                        requeues it (the visibility timeout); renew it for longer jobs
 * @param retry           attempts and backoff of failed jobs
 * @param format          what payloads must be; others are dead-lettered on take
 * @param dueTimeUnit     unit of a delayed queue's scores
 * @param defaultPriority priority of pushed jobs that name none (priority queues)
 * @param defaultDelay    delay of pushed jobs that name none (delayed queues)
 * @param maxIdleWait     longest pause between two polls of an empty sorted-set queue (lists block instead)
 * @param batchMaxBytes   most payload bytes one take moves: a batch stops before the job that would pass it (the
 *                        first job is always taken, whatever its size), so that one script call stays in the
 *                        milliseconds and never stalls the Redis that other consumers share
 * @param extraReadyLists a reliable queue's further ready lists, served after its own, in this order, in the same take
 *                        and under the same budget (a job system that keeps one queue in several lists, such as
 *                        Celery's priority lists {@code q\x06\x163}, ...); taken jobs are leased, retried and reaped
 *                        as the queue's own, and come back through {@code q:retry} or {@code q:reaped}, not to the
 *                        list they came from. Empty by default.
 * @param registry        a set that every push also adds a member to, in the same step (a job system that lists its
 *                        queues in a set, such as Sidekiq's {@code queues}); reliable queues only. Empty by default.
 * @param sharedSet       null, or the sorted set that holds this queue's ready jobs together with other queues'
 *                        ({@link SharedSet}); the queue's own keys are then derived from {@code name}
 * @param jobHashes       null, or where the jobs are when the queue holds only their ids ({@link JobHashes}: each
 *                        job a hash of its own, as RQ keeps them); reliable queues only
 */
public record QueueConfig(String name, QueueKind kind, Duration leaseTimeout, RetryPolicy retry, PayloadFormat format,
                          DueTimeUnit dueTimeUnit, long defaultPriority, Duration defaultDelay, Duration maxIdleWait,
                          int batchMaxBytes, List<String> extraReadyLists, Optional<Registry> registry,
                          SharedSet sharedSet, JobHashes jobHashes) {

    /** The end of a list a queue's consumers pop ready jobs from; its producers push onto the other. */
    public enum ListEnd {
        /** {@code LPOP}; producers {@code RPUSH} (RQ). */
        HEAD,
        /** {@code RPOP}; producers {@code LPUSH} (the guide, Sidekiq, Celery): every queue without job hashes. */
        TAIL
    }

    /**
     * A queue whose list holds job ids, each job being the hash {@code <keyPrefix><id>} (RQ: ids in
     * {@code rq:queue:<q>}, jobs in {@code rq:job:<id>}). A take pops ids from {@code takeEnd}, the end the system's
     * own workers pop, and returns each id's hash with it ({@link Delivery#hash()}), read in the same script that
     * leased the id; the ack deletes the hash with the lease; a push writes the hash, then the id
     * ({@link RedisQueue#pushHashes}). Nack, retry, reaping and dead letters move the id alone: the hash stays where
     * it is until the job is acked.
     *
     * @param keyPrefix what a job's id is appended to, to name its hash
     * @param takeEnd   the end takes pop ids from
     */
    public record JobHashes(String keyPrefix, ListEnd takeEnd) {
        public JobHashes {
            Objects.requireNonNull(keyPrefix, "keyPrefix");
            Objects.requireNonNull(takeEnd, "takeEnd");
        }
    }

    /**
     * A set that lists queues, and this queue's member in it.
     *
     * @param set    the set's key
     * @param member what every push adds to it (the queue's name as the job system writes it)
     */
    public record Registry(String set, String member) {
        public Registry {
            Objects.requireNonNull(set, "set");
            Objects.requireNonNull(member, "member");
        }
    }

    /**
     * A sorted set whose members are JSON objects of several queues, such as Sidekiq's {@code schedule}: this queue's
     * jobs are the members whose top-level {@code field} is the string {@code value}. They are taken, counted and purged
     * by score like a priority queue's, one member at a time, and the others are never touched; a member that is no
     * JSON object belongs to no queue.
     */
    public record SharedSet(String key, String field, String value) {

        public SharedSet {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }
    }

    /** Scores of jobs we push are priority + a fraction below 1, exact for priorities in this range. */
    public static final long MAX_PRIORITY = 2_000_000;

    /** The default byte budget of one take: a few milliseconds of Redis work. */
    public static final int DEFAULT_BATCH_MAX_BYTES = 4 * 1024 * 1024;

    /** True when a priority can be pushed exactly (Math.abs would let Long.MIN_VALUE through). */
    public static boolean isValidPriority(long priority) {
        return priority >= -MAX_PRIORITY && priority <= MAX_PRIORITY;
    }

    public QueueConfig {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw invalid(name, "the queue name is empty");
        }
        if (leaseTimeout.compareTo(Duration.ofMillis(100)) < 0) {
            throw invalid(name, "leaseTimeout must be at least 100 ms, was " + leaseTimeout.toMillis() + " ms");
        }
        if (!isValidPriority(defaultPriority)) {
            throw invalid(name, "defaultPriority must be within -" + MAX_PRIORITY + ".." + MAX_PRIORITY + ", was " + defaultPriority);
        }
        if (defaultDelay.isNegative()) {
            throw invalid(name, "defaultDelay must not be negative, was " + defaultDelay);
        }
        if (maxIdleWait.isNegative() || maxIdleWait.isZero()) {
            throw invalid(name, "maxIdleWait must be positive, was " + maxIdleWait);
        }
        if (batchMaxBytes < 1) {
            throw invalid(name, "batchMaxBytes must be at least 1, was " + batchMaxBytes);
        }
        extraReadyLists = List.copyOf(extraReadyLists);
        if (!extraReadyLists.isEmpty() && kind != QueueKind.RELIABLE) {
            throw invalid(name, "extraReadyLists are lists served after the ready list of a reliable queue; this queue is "
                    + kind + ": leave them out, or make the queue reliable");
        }
        Set<String> own = new HashSet<>(new QueueKeys(name).names());
        Set<String> seen = new HashSet<>();
        for (String list : extraReadyLists) {
            if (list.isEmpty()) {
                throw invalid(name, "an extra ready list has an empty name");
            }
            if (own.contains(list)) {
                throw invalid(name, "extra ready list '" + list + "' is a key of the queue itself; name another list");
            }
            if (!seen.add(list)) {
                throw invalid(name, "extra ready list '" + list + "' is named twice");
            }
        }
        Objects.requireNonNull(registry, "registry");
        if (registry.isPresent()) {
            if (kind != QueueKind.RELIABLE && jobHashes == null) {
                throw invalid(name, "a registry set is added to by pushes to a reliable queue only; this queue is " + kind
                        + ": leave it out, or make the queue reliable");
            }
            if (registry.get().set().isEmpty() || own.contains(registry.get().set())) {
                throw invalid(name, "the registry set '" + registry.get().set() + "' must be a key of its own, not empty and"
                        + " not a key of the queue");
            }
        }
        if (sharedSet != null && kind != QueueKind.PRIORITY) {
            throw invalid(name, "a shared sorted set is read by score, as a priority queue: kind must be priority");
        }
        if (sharedSet != null && sharedSet.key().equals(name)) {
            throw invalid(name, "the queue's name must differ from its shared set " + name + ": its own keys are named "
                    + "after it");
        }
        if (jobHashes != null) {
            if (sharedSet != null) {
                throw invalid(name, "job hashes are read with the ids of a queue of its own, not of a shared sorted set");
            }
            if (!extraReadyLists.isEmpty()) {
                throw invalid(name, "a queue of job ids with hashes has one ready list: leave extraReadyLists out");
            }
            if (jobHashes.keyPrefix().isEmpty() || own.stream().anyMatch(k -> k.startsWith(jobHashes.keyPrefix()))) {
                throw invalid(name, "the job hash prefix '" + jobHashes.keyPrefix() + "' must not be empty and must name"
                        + " no key of the queue itself, or an ack would delete it");
            }
        }
    }

    /** This queue with another retry policy: the same keys, kind and everything else. */
    public QueueConfig withRetry(RetryPolicy retry) {
        return new QueueConfig(name, kind, leaseTimeout, retry, format, dueTimeUnit, defaultPriority, defaultDelay,
                maxIdleWait, batchMaxBytes, extraReadyLists, registry, sharedSet, jobHashes);
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    public QueueKeys keys() {
        QueueKeys keys = new QueueKeys(name, extraReadyLists);
        return sharedSet == null ? keys : new QueueKeys(name, sharedSet.key(), extraReadyLists);
    }

    private static QueueException invalid(String name, String why) {
        return new QueueException(QueueException.Kind.CONFIG, "queue '" + name + "': " + why);
    }

    public static final class Builder {
        private final String name;
        private QueueKind kind = QueueKind.RELIABLE;
        private Duration leaseTimeout = Duration.ofSeconds(30);
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private PayloadFormat format = PayloadFormat.RAW;
        private DueTimeUnit dueTimeUnit = DueTimeUnit.SECONDS;
        private long defaultPriority;
        private Duration defaultDelay = Duration.ZERO;
        private Duration maxIdleWait = Duration.ofMillis(200);
        private int batchMaxBytes = DEFAULT_BATCH_MAX_BYTES;
        private List<String> extraReadyLists = List.of();
        private Optional<Registry> registry = Optional.empty();
        private SharedSet sharedSet;
        private JobHashes jobHashes;

        private Builder(String name) {
            this.name = name;
        }

        public Builder kind(QueueKind kind) {
            this.kind = kind;
            return this;
        }

        public Builder leaseTimeout(Duration leaseTimeout) {
            this.leaseTimeout = leaseTimeout;
            return this;
        }

        public Builder retry(RetryPolicy retry) {
            this.retry = retry;
            return this;
        }

        public Builder format(PayloadFormat format) {
            this.format = format;
            return this;
        }

        public Builder dueTimeUnit(DueTimeUnit dueTimeUnit) {
            this.dueTimeUnit = dueTimeUnit;
            return this;
        }

        public Builder defaultPriority(long defaultPriority) {
            this.defaultPriority = defaultPriority;
            return this;
        }

        public Builder defaultDelay(Duration defaultDelay) {
            this.defaultDelay = defaultDelay;
            return this;
        }

        public Builder maxIdleWait(Duration maxIdleWait) {
            this.maxIdleWait = maxIdleWait;
            return this;
        }

        public Builder batchMaxBytes(int batchMaxBytes) {
            this.batchMaxBytes = batchMaxBytes;
            return this;
        }

        /** Lists served after the ready list, in this order (reliable queues). */
        public Builder extraReadyLists(List<String> extraReadyLists) {
            this.extraReadyLists = extraReadyLists;
            return this;
        }

        /** A set that every push also adds {@code member} to, atomically with the push (reliable queues). */
        public Builder registry(String set, String member) {
            this.registry = Optional.of(new Registry(set, member));
            return this;
        }

        /** Reads this queue's jobs from a sorted set shared with other queues; see {@link SharedSet}. */
        public Builder sharedSet(SharedSet sharedSet) {
            this.sharedSet = sharedSet;
            return this;
        }

        /**
         * The queue holds job ids, each job the hash {@code <keyPrefix><id>}, taken from {@code takeEnd}; see
         * {@link JobHashes}.
         */
        public Builder jobHashes(String keyPrefix, ListEnd takeEnd) {
            this.jobHashes = new JobHashes(keyPrefix, takeEnd);
            return this;
        }

        public QueueConfig build() {
            return new QueueConfig(name, kind, leaseTimeout, retry, format, dueTimeUnit, defaultPriority, defaultDelay,
                    maxIdleWait, batchMaxBytes, extraReadyLists, registry, sharedSet, jobHashes);
        }
    }
}
