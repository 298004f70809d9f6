package dev.qbridge.core.queue;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.QueueException.Kind;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One queue's semantics: push, take under a lease, ack, nack with retry or dead letter, renew, count.
 * Every step that changes more than one key is one Lua script (documented in docs/PROTOCOL.md), so a
 * crash of this process at any point leaves every job in exactly one place. Thread-safe.
 */
public final class RedisQueue {

    /** Most jobs one take, ack or nack moves in a single script call. */
    public static final int MAX_BATCH = 1000;

    /** Members of a shared set read per purge call. */
    private static final int PURGE_WINDOW = 5000;

    /** Members of a shared set read per count call: ~4 ms of decoding Sidekiq jobs, so that Redis never stalls. */
    private static final int COUNT_WINDOW = 2000;

    private static final LuaScript TAKE_LIST = LuaScript.load(RedisQueue.class, "take-list");
    /** Scripts that read a sorted set shared by several queues, with the one rule of which members are whose. */
    private static final String SHARED_SET = "shared-set";

    private static final LuaScript TAKE_SORTED = LuaScript.load(RedisQueue.class, "take-sorted");
    /** take-sorted with the shared-set prelude, for a queue that reads a shared set: no other take pays for it. */
    private static final LuaScript TAKE_SHARED = LuaScript.load(RedisQueue.class, "take-sorted", SHARED_SET);
    private static final LuaScript NACK = LuaScript.load(RedisQueue.class, "nack");
    private static final LuaScript RENEW = LuaScript.load(RedisQueue.class, "renew");
    private static final LuaScript PUSH_PRIORITY = LuaScript.load(RedisQueue.class, "push-priority");
    private static final LuaScript PUSH_DELAYED = LuaScript.load(RedisQueue.class, "push-delayed");
    private static final LuaScript COUNTS = LuaScript.load(RedisQueue.class, "counts");
    private static final LuaScript COUNT_SHARED = LuaScript.load(RedisQueue.class, "count-shared", SHARED_SET);
    private static final LuaScript REQUEUE_DEAD = LuaScript.load(RedisQueue.class, "requeue-dead");
    private static final LuaScript PURGE_SHARED = LuaScript.load(RedisQueue.class, "purge-shared", SHARED_SET);
    private static final LuaScript PUSH_LIST = LuaScript.load(RedisQueue.class, "push-list");
    private static final LuaScript ACK_HASHES = LuaScript.load(RedisQueue.class, "ack-hashes");
    private static final LuaScript PUSH_HASHES = LuaScript.load(RedisQueue.class, "push-hashes");
    private static final LuaScript READ_HASHES = LuaScript.load(RedisQueue.class, "read-hashes");
    private static final LuaScript PURGE_HASHES = LuaScript.load(RedisQueue.class, "purge-hashes");

    /** Lists block in Redis; this bounds each block so that due retries are served within it. */
    private static final Duration LIST_BLOCK_SLICE = Duration.ofSeconds(1);

    private final RedisConnection redis;
    private final QueueConfig config;
    private final QueueKeys keys;
    private final byte[] leaseMillis;
    private final byte[] batchMaxBytes;
    /** The take script's keys: the five of every queue, then the extra ready lists. */
    private final List<byte[]> takeKeys;
    /** The counts script's keys: the six of every queue, then the extra ready lists. */
    private final List<byte[]> countKeys;
    /** The registry set's key and this queue's member in it, when pushes add to one. */
    private final Optional<RegistryBytes> registry;

    /** The take script's arguments after max: the lease, the budget and, for job hashes, their prefix and end. */
    private final List<byte[]> takeArgs;
    /** The job hashes' key prefix, or null for a queue that holds whole jobs. */
    private final byte[] hashPrefix;
    /** 'head' when consumers pop the head of the ready list, else 'tail'. */
    private final byte[] takeEnd;
    /** Jobs the takes of this object dead-lettered themselves (a broken format, an id without its job hash). */
    private final AtomicLong deadLetteredOnTake = new AtomicLong();

    private record RegistryBytes(byte[] set, byte[] member) {
    }

    public RedisQueue(RedisConnection redis, QueueConfig config) {
        this.redis = redis;
        this.config = config;
        this.keys = config.keys();
        this.leaseMillis = ascii(config.leaseTimeout().toMillis());
        this.batchMaxBytes = ascii(config.batchMaxBytes());
        this.takeKeys = withExtras(List.of(keys.ready(), keys.leases(), keys.retry(), keys.sequence(), keys.reaped()));
        this.countKeys = withExtras(List.of(keys.ready(), keys.leases(), keys.retry(), keys.dead(), keys.processing(),
                keys.reaped()));
        this.registry = config.registry().map(r -> new RegistryBytes(r.set().getBytes(StandardCharsets.UTF_8),
                r.member().getBytes(StandardCharsets.UTF_8)));
        QueueConfig.JobHashes hashes = config.jobHashes();
        this.hashPrefix = hashes == null ? null : utf8(hashes.keyPrefix());
        this.takeEnd = ascii(hashes != null && hashes.takeEnd() == QueueConfig.ListEnd.HEAD ? "head" : "tail");
        this.takeArgs = hashPrefix == null ? List.of(leaseMillis, batchMaxBytes)
                : List.of(leaseMillis, batchMaxBytes, hashPrefix, takeEnd);
        List<byte[]> slotted = new ArrayList<>(keys.all());
        registry.ifPresent(r -> slotted.add(r.set()));
        requireOneSlot(redis, config.name(), slotted);
        if (hashPrefix != null && redis.isCluster()) {
            // the scripts read and write each job's hash by a key computed from the id: a cluster needs every key declared
            throw new QueueException(Kind.CONFIG, "queue '" + config.name() + "' keeps its jobs in hashes "
                    + hashes.keyPrefix() + "<id>, which a script can only reach on a standalone Redis, not on Redis Cluster");
        }
    }

    private List<byte[]> withExtras(List<byte[]> queueKeys) {
        List<byte[]> all = new ArrayList<>(queueKeys);
        all.addAll(keys.extraReady());
        return List.copyOf(all);
    }

    /** In a cluster every script must touch one slot; say how to name the queue when it would not. */
    static void requireOneSlot(RedisConnection redis, String name, List<byte[]> queueKeys) {
        if (!redis.isCluster()) {
            return;
        }
        int slot = redis.slot(queueKeys.get(0));
        for (byte[] key : queueKeys) {
            if (redis.slot(key) != slot) {
                throw new QueueException(Kind.CONFIG, "queue '" + name + "' cannot be used on Redis Cluster: its keys "
                        + new String(queueKeys.get(0), StandardCharsets.UTF_8) + " and " + new String(key, StandardCharsets.UTF_8)
                        + " hash to different slots; name the queue with a hash tag, such as {" + name + "}");
            }
        }
    }

    public QueueConfig config() {
        return config;
    }

    /** The connection this queue's commands go through (a reaper or promoter of the same queue shares it). */
    public RedisConnection connection() {
        return redis;
    }

    public QueueKeys keys() {
        return keys;
    }

    public String name() {
        return config.name();
    }

    // ---- push -------------------------------------------------------------------------------------

    /** Pushes one job with the queue's defaults. */
    public long push(byte[] payload) {
        return push(List.of(payload));
    }

    /**
     * Pushes jobs in order (the first is taken first) with the queue's defaults; one round trip per 1,000. A queue
     * with a {@link QueueConfig#registry() registry} adds its member to the set in the same step as each push.
     */
    public long push(List<byte[]> payloads) {
        if (hashPrefix != null) {
            throw new QueueException(Kind.CONFIG, "queue '" + name() + "' holds job ids, each job a hash of its own: push "
                    + "the jobs with their hashes (pushHashes), never a bare id");
        }
        if (config.kind() == QueueKind.RELIABLE && registry.isPresent()) {
            long pushed = 0;
            for (List<byte[]> chunk : chunks(payloads)) {
                List<byte[]> args = new ArrayList<>(chunk.size() + 1);
                args.add(registry.get().member());
                args.addAll(chunk);
                pushed += asLong(redis.eval(PUSH_LIST, List.of(keys.ready(), registry.get().set()), args));
            }
            return pushed;
        }
        if (config.kind() == QueueKind.RELIABLE) {
            long pushed = 0;
            for (List<byte[]> chunk : chunks(payloads)) {
                try {
                    redis.lpush(keys.ready(), chunk);
                } catch (QueueException e) {
                    throw withKey(e, keys.ready(), "a reliable queue (a list); nothing was pushed");
                }
                pushed += chunk.size();
            }
            return pushed;
        }
        List<NewJob> jobs = new ArrayList<>(payloads.size());
        payloads.forEach(p -> jobs.add(NewJob.of(p)));
        return pushJobs(jobs);
    }

    /**
     * Pushes jobs with their own priority or due time. For a reliable queue both are ignored. Returns how
     * many were added: a sorted set holds each payload once, so a payload already waiting there is not added
     * again (plain {@code ZADD} producers share this).
     */
    public long pushJobs(List<NewJob> jobs) {
        return switch (config.kind()) {
            case RELIABLE -> push(jobs.stream().map(NewJob::payload).toList());
            case PRIORITY -> pushPriority(jobs);
            case DELAYED -> pushDelayed(jobs);
        };
    }

    private long pushPriority(List<NewJob> jobs) {
        long added = 0;
        for (List<NewJob> chunk : chunks(jobs)) {
            List<byte[]> args = new ArrayList<>(chunk.size() * 2);
            for (NewJob job : chunk) {
                long priority = job.priority().orElse(config.defaultPriority());
                if (!QueueConfig.isValidPriority(priority)) {
                    throw new QueueException(Kind.CONFIG, "queue '" + name() + "': priority " + priority
                            + " is outside -" + QueueConfig.MAX_PRIORITY + ".." + QueueConfig.MAX_PRIORITY);
                }
                args.add(ascii(priority));
                args.add(job.payload());
            }
            added += asLong(redis.eval(PUSH_PRIORITY, List.of(keys.ready(), keys.sequence()), args));
        }
        return added;
    }

    /**
     * Pushes jobs to a queue of job ids with a hash each ({@link QueueConfig#jobHashes()}), in order (the first is taken
     * first), as the system's client writes them: per 1,000 jobs one script writes each hash (with its expiry), then
     * pushes the ids and adds the queue to its registry set, so that no consumer sees an id without its job. A job
     * whose hash already exists is not written again, nor its id pushed: it is in {@link HashJobsPushed#existing()}.
     */
    public HashJobsPushed pushHashes(List<NewHashJob> jobs) {
        if (hashPrefix == null) {
            throw new QueueException(Kind.CONFIG, "queue '" + name() + "' keeps whole jobs in its list, no job hashes: "
                    + "push payloads");
        }
        List<byte[]> pushKeys = registry.isPresent() ? List.of(keys.ready(), registry.get().set()) : List.of(keys.ready());
        byte[] member = registry.map(RegistryBytes::member).orElse(new byte[0]);
        boolean sorted = config.kind() != QueueKind.RELIABLE;
        long pushed = 0;
        List<String> existing = new ArrayList<>();
        for (List<NewHashJob> chunk : chunks(jobs)) {
            List<byte[]> args = new ArrayList<>(3 + chunk.size() * 20);
            args.add(hashPrefix);
            args.add(member);
            args.add(sorted ? ascii("zset") : takeEnd);
            for (NewHashJob job : chunk) {
                args.add(job.id());
                // a sorted set's score is the job's time to the digit, in the queue's unit, as its system writes it
                args.add(sorted ? ascii(Scores.exactScore(job.at().orElseGet(Instant::now), config.dueTimeUnit()))
                        : new byte[0]);
                args.add(ascii(job.expires().map(Duration::toSeconds).orElse(0L)));
                args.add(ascii(job.hash().size()));
                job.hash().forEach((field, value) -> {
                    args.add(utf8(field));
                    args.add(value);
                });
            }
            List<?> reply = (List<?>) redis.eval(PUSH_HASHES, pushKeys, args);
            pushed += asLong(reply.get(0));
            for (Object id : reply.subList(1, reply.size())) {
                existing.add(new String((byte[]) id, StandardCharsets.UTF_8));
            }
        }
        return new HashJobsPushed(pushed, existing);
    }

    /**
     * Pushes jobs to a delayed queue each at its due time to the digit, finer than the millisecond of
     * {@link #pushJobs}: for a job system's own times (Sidekiq's float seconds), so that a job moved between two
     * systems keeps its time exactly. Jobs without a due time are due after their delay, as with {@code pushJobs}.
     */
    public long pushDelayedExactly(List<NewJob> jobs) {
        if (config.kind() != QueueKind.DELAYED) {
            throw new QueueException(Kind.CONFIG, "queue '" + name() + "' is " + config.kind() + ": only a delayed queue "
                    + "takes due times");
        }
        return pushDelayed(jobs, true);
    }

    private long pushDelayed(List<NewJob> jobs) {
        return pushDelayed(jobs, false);
    }

    private long pushDelayed(List<NewJob> jobs, boolean exact) {
        long added = 0;
        for (List<NewJob> chunk : chunks(jobs)) {
            List<byte[]> args = new ArrayList<>(chunk.size() * 3 + 1);
            args.add(ascii(config.dueTimeUnit().millisPerUnit()));
            for (NewJob job : chunk) {
                Optional<Instant> at = job.dueAt();
                if (at.isPresent() && exact) {
                    args.add(ascii("score"));
                    args.add(ascii(Scores.exactScore(at.get(), config.dueTimeUnit())));
                } else if (at.isPresent()) {
                    args.add(ascii("at"));
                    args.add(ascii(at.get().toEpochMilli()));
                } else {
                    args.add(ascii("in"));
                    args.add(ascii(job.delay().orElse(config.defaultDelay()).toMillis()));
                }
                args.add(job.payload());
            }
            added += asLong(redis.eval(PUSH_DELAYED, List.of(keys.ready()), args));
        }
        return added;
    }

    // ---- take -------------------------------------------------------------------------------------

    /**
     * Takes up to {@code max} jobs (capped at {@link #MAX_BATCH}, and at {@link QueueConfig#batchMaxBytes()} of
     * payload) without waiting, each leased for the queue's lease timeout. A reliable queue serves the jobs the
     * reaper requeued and due retries first, then ready jobs (its ready list, then each of its
     * {@link QueueConfig#extraReadyLists() extra ready lists} in order); a sorted-set queue serves all of them by score. Payloads that break the queue's format are
     * dead-lettered with the reason and not returned. A key of the queue that holds another type fails the call
     * with {@link Kind#WRONG_TYPE}, naming the key, before anything is taken. A queue of job ids with hashes
     * ({@link QueueConfig#jobHashes()}) returns each id with its hash ({@link Delivery#hash()}); an id whose hash is
     * missing (expired, deleted) or holds another type is dead-lettered with the reason, the key left as it is.
     */
    public List<Delivery> take(int max) {
        int n = Math.max(1, Math.min(max, MAX_BATCH));
        List<byte[]> listArgs = new ArrayList<>(1 + takeArgs.size());
        listArgs.add(ascii(n));
        listArgs.addAll(takeArgs);
        Object reply = config.kind() == QueueKind.RELIABLE
                ? redis.eval(TAKE_LIST, takeKeys, listArgs)
                : redis.eval(config.sharedSet() == null ? TAKE_SORTED : TAKE_SHARED, takeKeys,
                        withJobHashes(withSharedSetFilter(List.of(ascii(n), leaseMillis,
                                ascii(config.kind() == QueueKind.DELAYED ? "delayed" : "priority"),
                                ascii(config.dueTimeUnit().millisPerUnit()), batchMaxBytes))));
        long now = System.currentTimeMillis();
        List<?> members = (List<?>) reply;
        List<?> hashes = null;
        if (hashPrefix != null) {
            hashes = (List<?>) members.get(1);
            members = (List<?>) members.get(0);
        }
        List<Delivery> deliveries = new ArrayList<>(members.size());
        List<byte[]> rejects = new ArrayList<>();
        for (int i = 0; i < members.size(); i++) {
            Delivery delivery = Delivery.parse(name(), (byte[]) members.get(i), now);
            Optional<String> violation = config.format().violation(delivery.payload());
            if (hashes != null && violation.isEmpty()) {
                List<?> flat = (List<?>) hashes.get(i);
                violation = hashProblem(delivery, flat);
                if (violation.isEmpty()) {
                    delivery = delivery.withHash(fields(flat));
                }
            }
            if (violation.isPresent()) {
                rejects.add(delivery.lease());
                rejects.add(ascii(-1));
                rejects.add(violation.get().getBytes(StandardCharsets.UTF_8));
            } else {
                deliveries.add(delivery);
            }
        }
        if (!rejects.isEmpty()) {
            for (Object code : (List<?>) redis.eval(NACK, List.of(keys.leases(), keys.retry(), keys.dead()), rejects)) {
                deadLetteredOnTake.addAndGet(asLong(code) == 2 ? 1 : 0);
            }
        }
        return deliveries;
    }

    /**
     * How many jobs the takes of this object dead-lettered without returning them: payloads that broke the queue's
     * format, ids whose job hash was missing. A driver that accounts for every job taken (a migration's verification)
     * adds them to what it wrote.
     */
    public long deadLetteredOnTake() {
        return deadLetteredOnTake.get();
    }

    /** take-sorted's arguments of job hashes after {@code args}: no shared set's filter, then the prefix. */
    private List<byte[]> withJobHashes(List<byte[]> args) {
        if (hashPrefix == null) {
            return args;
        }
        List<byte[]> all = new ArrayList<>(args);
        all.add(new byte[0]);
        all.add(new byte[0]);
        all.add(hashPrefix);
        return all;
    }

    /** Why a job's hash, as the take read it, cannot go with its id; empty when it can. */
    private Optional<String> hashProblem(Delivery delivery, List<?> flat) {
        if (flat.isEmpty() || flat.size() % 2 == 1) {
            String key = new String(hashPrefix, StandardCharsets.UTF_8) + delivery.payloadAsString();
            return Optional.of(flat.isEmpty()
                    ? "its job hash " + key + " is missing (expired or deleted): an id without its job"
                    : "its job hash " + key + " holds a " + new String((byte[]) flat.get(0), StandardCharsets.UTF_8)
                            + ", not a hash: left as it is");
        }
        return Optional.empty();
    }

    private static Map<String, byte[]> fields(List<?> flat) {
        Map<String, byte[]> fields = new LinkedHashMap<>(flat.size());
        for (int i = 0; i < flat.size(); i += 2) {
            fields.put(new String((byte[]) flat.get(i), StandardCharsets.UTF_8), (byte[]) flat.get(i + 1));
        }
        return fields;
    }

    /**
     * Takes up to {@code max} jobs, waiting up to {@code wait} for the first one. A reliable queue blocks in
     * Redis (no polling); a sorted-set queue, and a reliable queue with extra ready lists (Redis 6.2 cannot block
     * on several lists without popping), polls with a pause growing to {@link QueueConfig#maxIdleWait()}.
     * Returns an empty list when the wait passed or the thread was interrupted.
     */
    public List<Delivery> take(int max, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        long pause = 5;
        while (true) {
            List<Delivery> taken = take(max);
            long remaining = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
            if (!taken.isEmpty() || remaining <= 0 || Thread.currentThread().isInterrupted()) {
                return taken;
            }
            if (config.kind() == QueueKind.RELIABLE && keys.extraReadyLists().isEmpty()) {
                redis.awaitNotEmpty(keys.ready(), Duration.ofMillis(Math.min(remaining, LIST_BLOCK_SLICE.toMillis())));
            } else {
                try {
                    Thread.sleep(Math.min(remaining, pause));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return List.of();
                }
                pause = Math.min(pause * 2, config.maxIdleWait().toMillis());
            }
        }
    }

    // ---- finish -----------------------------------------------------------------------------------

    /** Acks one delivery; returns false when its lease had expired and the job was requeued. */
    public boolean ack(Delivery delivery) {
        return ack(List.of(delivery)) == 1;
    }

    /**
     * Acks many deliveries in one round trip per 1,000; returns how many were still leased. For a queue of job ids
     * with hashes the ack deletes the hash of each job still leased, in the same step (a late ack deletes nothing).
     */
    public long ack(Collection<Delivery> deliveries) {
        if (hashPrefix != null) {
            return ackWithHashes(deliveries);
        }
        long acked = 0;
        List<byte[]> members = new ArrayList<>(Math.min(deliveries.size(), MAX_BATCH));
        try {
            for (Delivery delivery : deliveries) {
                members.add(delivery.lease());
                if (members.size() == MAX_BATCH) {
                    acked += redis.zrem(keys.leases(), members);
                    members.clear();
                }
            }
            if (!members.isEmpty()) {
                acked += redis.zrem(keys.leases(), members);
            }
        } catch (QueueException e) {
            throw withKey(e, keys.leases(), "the leases of queue " + name() + " (a sorted set)");
        }
        return acked;
    }

    private long ackWithHashes(Collection<Delivery> deliveries) {
        long acked = 0;
        for (List<Delivery> chunk : chunks(List.copyOf(deliveries))) {
            List<byte[]> args = new ArrayList<>(chunk.size() + 1);
            args.add(hashPrefix);
            chunk.forEach(d -> args.add(d.lease()));
            acked += asLong(redis.eval(ACK_HASHES, List.of(keys.leases()), args));
        }
        return acked;
    }

    /**
     * Reports a failed delivery: retried after the retry policy's backoff while attempts remain, otherwise
     * dead-lettered with the reason.
     */
    public NackOutcome nack(Delivery delivery, String reason) {
        return nack(List.of(delivery), reason).get(0);
    }

    public List<NackOutcome> nack(List<Delivery> deliveries, String reason) {
        return finish(deliveries, reason, false);
    }

    /** Dead-letters a delivery at once, whatever its attempts, for failures that no retry can mend. */
    public NackOutcome deadLetter(Delivery delivery, String reason) {
        return finish(List.of(delivery), reason, true).get(0);
    }

    public List<NackOutcome> deadLetter(List<Delivery> deliveries, String reason) {
        return finish(deliveries, reason, true);
    }

    /**
     * Gives deliveries back unprocessed, due again at once and never dead-lettered for it: for a consumer that stops
     * with jobs in hand it has not started on. The job keeps its id; as with SQS's receive count, the next delivery
     * has the next attempt number (so that a late ack of this delivery can never remove that one).
     */
    public List<NackOutcome> release(List<Delivery> deliveries) {
        return finish(deliveries, "released", Finish.RELEASE);
    }

    /** How a delivery ends when it is not acked. */
    private enum Finish { NACK, DEAD, RELEASE }

    private List<NackOutcome> finish(List<Delivery> deliveries, String reason, boolean dead) {
        return finish(deliveries, reason, dead ? Finish.DEAD : Finish.NACK);
    }

    private List<NackOutcome> finish(List<Delivery> deliveries, String reason, Finish how) {
        byte[] why = (reason == null || reason.isBlank() ? "no reason given" : reason).getBytes(StandardCharsets.UTF_8);
        List<NackOutcome> outcomes = new ArrayList<>(deliveries.size());
        for (List<Delivery> chunk : chunks(deliveries)) {
            List<byte[]> args = new ArrayList<>(chunk.size() * 3);
            for (Delivery d : chunk) {
                long delay = switch (how) {
                    case RELEASE -> 0;
                    case DEAD -> -1;
                    case NACK -> config.retry().allowsRetryAfter(d.attempt())
                            ? config.retry().backoffAfter(d.attempt()).toMillis() : -1;
                };
                args.add(d.lease());
                args.add(ascii(delay));
                args.add(why);
            }
            for (Object code : (List<?>) redis.eval(NACK, List.of(keys.leases(), keys.retry(), keys.dead()), args)) {
                outcomes.add(switch ((int) asLong(code)) {
                    case 1 -> NackOutcome.RETRY_SCHEDULED;
                    case 2 -> NackOutcome.DEAD_LETTERED;
                    default -> NackOutcome.LEASE_LOST;
                });
            }
        }
        return outcomes;
    }

    /** Extends a lease by the queue's lease timeout from now; false when it is no longer held. */
    public boolean renew(Delivery delivery) {
        return renew(List.of(delivery)).get(0);
    }

    public List<Boolean> renew(List<Delivery> deliveries) {
        List<Boolean> held = new ArrayList<>(deliveries.size());
        for (List<Delivery> chunk : chunks(deliveries)) {
            List<byte[]> args = new ArrayList<>(chunk.size() + 1);
            args.add(leaseMillis);
            chunk.forEach(d -> args.add(d.lease()));
            for (Object flag : (List<?>) redis.eval(RENEW, List.of(keys.leases()), args)) {
                held.add(asLong(flag) == 1);
            }
        }
        return held;
    }

    // ---- observe ----------------------------------------------------------------------------------

    /**
     * Ready (the extra ready lists included), in-flight, delayed, retrying and dead counts in one round trip. A key of the queue that holds another
     * type fails the call with {@link Kind#WRONG_TYPE} naming the key: a count that cannot be read is never 0. A queue
     * whose ready jobs sit in a set shared with other queues counts its own there a window per round trip after the
     * others (reading the whole set, never in one script): those counts are no snapshot of one instant.
     */
    public QueueCounts counts() {
        List<?> reply = (List<?>) redis.eval(COUNTS, countKeys,
                List.of(ascii(config.kind().toString()), ascii(config.dueTimeUnit().millisPerUnit())));
        long ready = config.sharedSet() == null ? asLong(reply.get(0)) : sharedReady();
        return new QueueCounts(ready, asLong(reply.get(1)), asLong(reply.get(2)), asLong(reply.get(3)),
                asLong(reply.get(4)), asLong(reply.get(5)));
    }

    /** This queue's members of its shared ready set, counted a window per script call. */
    private long sharedReady() {
        QueueConfig.SharedSet shared = config.sharedSet();
        long ours = 0;
        long rank = 0;
        while (true) {
            List<?> reply = (List<?>) redis.eval(COUNT_SHARED, List.of(keys.ready()), List.of(utf8(shared.field()),
                    utf8(shared.value()), ascii(rank), ascii(COUNT_WINDOW)));
            ours += asLong(reply.get(0));
            long read = asLong(reply.get(1));
            rank += read;
            if (read < COUNT_WINDOW) {
                return ours;
            }
        }
    }

    /**
     * True when any key of the queue exists: a queue nobody ever pushed to has none. A set shared with other queues is
     * no key of this queue's: there the queue exists when the set holds one of its jobs.
     */
    public boolean exists() {
        for (byte[] key : keys.all()) {
            if (keys.sharedReady() && Arrays.equals(key, keys.ready())) {
                continue;
            }
            if (!redis.type(key).equals("none")) {
                return true;
            }
        }
        return keys.sharedReady() && !readyPage(0, 1).jobs().isEmpty();
    }

    /**
     * Up to {@code max} of the ready jobs from position {@code from} on, in the order a take serves them, without
     * taking any: the ready key (a list from its tail, a sorted set lowest score first; a shared set through this
     * queue's members only, as take and counts choose them), then each extra ready list. Jobs retrying or reaped are
     * not among them. Page on from {@link ReadyPage#next()}; a queue that others change meanwhile may show a job
     * twice or skip one, as any paging does.
     */
    public ReadyPage readyPage(long from, int max) {
        return new ReadyJobs(redis, config).page(from, max);
    }

    /**
     * Ready ids of a queue of job ids with hashes, in the order takes would serve them (a sorted set's by rank, due or
     * not, with their scores), skipping the first {@code from},
     * each with its hash read in the same script; takes nothing (a copy of the queue). A hash that is missing, or whose
     * key holds another type, comes back empty.
     */
    public List<HashedJob> readyWithHashes(long from, int count) {
        if (hashPrefix == null) {
            throw new QueueException(Kind.CONFIG, "queue '" + name() + "' keeps whole jobs in its list, no job hashes");
        }
        if (count < 1) {
            return List.of();
        }
        List<?> reply = (List<?>) redis.eval(READ_HASHES, List.of(keys.ready()),
                List.of(hashPrefix, config.kind() == QueueKind.RELIABLE ? takeEnd : ascii("zset"), ascii(from), ascii(count)));
        List<?> ids = (List<?>) reply.get(0);
        List<?> hashes = (List<?>) reply.get(1);
        List<?> scores = (List<?>) reply.get(2);
        List<HashedJob> jobs = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            List<?> flat = (List<?>) hashes.get(i);
            Optional<String> score = scores.isEmpty() ? Optional.empty()
                    : Optional.of(new String((byte[]) scores.get(i), StandardCharsets.US_ASCII));
            jobs.add(new HashedJob((byte[]) ids.get(i), flat.size() % 2 == 1 ? Map.of() : fields(flat), score));
        }
        return jobs;
    }

    /** The newest {@code limit} dead letters, newest first. */
    public List<DeadLetter> deadLetters(int limit) {
        return redis.lrange(keys.dead(), 0, limit - 1L).stream().map(DeadLetter::parse).toList();
    }

    /**
     * Moves up to {@code max} dead letters, oldest first, back to the ready key as fresh jobs, 1,000 per
     * script call so that a long dead-letter list never blocks Redis for long.
     */
    public long requeueDead(long max) {
        long moved = 0;
        while (moved < max) {
            long batch = Math.min(MAX_BATCH, max - moved);
            long n = asLong(redis.eval(REQUEUE_DEAD, List.of(keys.dead(), keys.ready()),
                    List.of(ascii(config.kind().toString()), ascii(batch), takeEnd)));
            moved += n;
            if (n < batch) {
                break;
            }
        }
        return moved;
    }

    /**
     * Deletes the queue's jobs in every state: ready (its extra ready lists too), in flight, retrying, dead and in the
     * guide's processing list; for a queue of job ids with hashes, each id's hash too, in the same script.
     * The id counter is kept, so that no id is ever given out twice: a zombie consumer's late ack names its old id
     * and can never match a new job's lease. Returns how many keys existed (the job hashes not counted).
     */
    public long purge() {
        if (hashPrefix != null) {
            List<?> reply = (List<?>) redis.eval(PURGE_HASHES, List.of(keys.ready(), keys.leases(), keys.retry(),
                    keys.reaped(), keys.dead(), keys.processing(), keys.processingSeen()),
                    List.of(hashPrefix, ascii(config.kind() == QueueKind.RELIABLE ? "list" : "zset")));
            return asLong(reply.get(0));
        }
        long existed = redis.del(keys.jobs());
        QueueConfig.SharedSet shared = config.sharedSet();
        if (shared != null) {
            // this queue's members only, a window per call: a shared set may be large, and holds other queues' jobs
            long removed = 0;
            long rank = 0;
            while (true) {
                List<?> reply = (List<?>) redis.eval(PURGE_SHARED, List.of(keys.ready()), List.of(utf8(shared.field()),
                        utf8(shared.value()), ascii(rank), ascii(PURGE_WINDOW)));
                long gone = asLong(reply.get(0));
                long read = asLong(reply.get(1));
                removed += gone;
                rank += read - gone;
                if (read < PURGE_WINDOW) {
                    break;
                }
            }
            existed += removed > 0 ? 1 : 0;
        }
        return existed;
    }

    /** The filter arguments of a shared ready set after {@code args}, as take-sorted reads them. */
    private List<byte[]> withSharedSetFilter(List<byte[]> args) {
        QueueConfig.SharedSet shared = config.sharedSet();
        if (shared == null) {
            return args;
        }
        List<byte[]> all = new ArrayList<>(args);
        all.add(utf8(shared.field()));
        all.add(utf8(shared.value()));
        return all;
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /** Redis's own WRONGTYPE error of a plain command names no key: name it, and its type, as the scripts do. */
    private QueueException withKey(QueueException e, byte[] key, String role) {
        if (e.kind() != Kind.WRONG_TYPE) {
            return e;
        }
        String type;
        try {
            type = redis.type(key);
        } catch (QueueException unreadable) {
            type = "value of another type";
        }
        return new QueueException(Kind.WRONG_TYPE, "WRONGTYPE key " + new String(key, StandardCharsets.UTF_8) + " holds a "
                + type + ", but it must be " + role, e);
    }

    static <T> List<List<T>> chunks(List<T> items) {
        List<List<T>> chunks = new ArrayList<>((items.size() + MAX_BATCH - 1) / MAX_BATCH);
        for (int i = 0; i < items.size(); i += MAX_BATCH) {
            chunks.add(items.subList(i, Math.min(items.size(), i + MAX_BATCH)));
        }
        return chunks;
    }

    static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] ascii(String value) {
        return value.getBytes(StandardCharsets.US_ASCII);
    }

    static long asLong(Object reply) {
        if (reply instanceof Long l) {
            return l;
        }
        if (reply instanceof byte[] b) {
            return Long.parseLong(new String(b, StandardCharsets.US_ASCII));
        }
        throw new IllegalStateException("unexpected reply from Redis: " + reply);
    }
}
