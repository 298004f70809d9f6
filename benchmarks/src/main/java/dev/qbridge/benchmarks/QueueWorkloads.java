package dev.qbridge.benchmarks;

import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.NewJob;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.UnifiedJedis;

/**
 * The workloads the harness times, each against the one redis-server it was given. Every workload checks
 * afterwards that no job was lost or duplicated: a fast number for a queue that drops jobs is worthless.
 * Setup (preloading, creating expired leases) is never inside the timed part.
 */
final class QueueWorkloads {

    /** Payloads are generated outside the timed part in chunks of this many, which bounds the harness's memory. */
    private static final int PRELOAD_CHUNK = 10_000;

    private final RedisConnection redis;
    private final UnifiedJedis jedis;
    private final int payloadBytes;
    private final CpuMeter cpu;

    QueueWorkloads(RedisConnection redis, UnifiedJedis jedis, int payloadBytes) {
        this.redis = redis;
        this.jedis = jedis;
        this.payloadBytes = payloadBytes;
        this.cpu = new CpuMeter(jedis);
    }

    /** The same workloads moving payloads of {@code bytes}. */
    QueueWorkloads withPayloadBytes(int bytes) {
        return bytes == payloadBytes ? this : new QueueWorkloads(redis, jedis, bytes);
    }

    /** A fresh reliable queue; the previous workload's keys are flushed so its memory does not slow this one. */
    RedisQueue freshQueue(String name, Duration leaseTimeout) {
        jedis.flushAll();
        return new RedisQueue(redis, QueueConfig.builder(name).leaseTimeout(leaseTimeout).build());
    }

    /** {@link RedisQueue#push(List)} of {@code jobs} payloads (one LPUSH per 1,000), built before the clock starts. */
    Measurement push(RedisQueue queue, int jobs) {
        List<byte[]> payloads = Payloads.range(0, jobs, payloadBytes);
        cpu.start();
        long start = System.nanoTime();
        queue.push(payloads);
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        long ready = queue.counts().ready();
        if (ready != jobs) {
            throw new IllegalStateException("pushed " + jobs + " jobs but the ready list holds " + ready);
        }
        return m;
    }

    /**
     * Moves every preloaded job through take(batch) + ack with {@code threads} consumers sharing one
     * connection pool, the way one connector process would, until the queue is empty.
     */
    Measurement takeAck(RedisQueue queue, int jobs, int batch, int threads) {
        LongAdder acked = new LongAdder();
        Measurement m = Threads.drain(cpu, jobs, threads, "take-ack", () -> {
            List<Delivery> taken = queue.take(batch);
            return taken.isEmpty() ? Threads.EMPTY : queue.ack(taken); // preloaded and nobody pushes: empty means done
        }, acked);
        QueueCounts left = queue.counts();
        if (acked.sum() != jobs || left.total() != 0) {
            throw new IllegalStateException("take+ack of " + jobs + " jobs acked " + acked.sum() + " and left " + left);
        }
        return m;
    }

    /**
     * The guide's consumer, in Java: BRPOPLPUSH queue queue:processing, then LREM queue:processing 1 job, one
     * job and two round trips at a time, on one thread.
     */
    @SuppressWarnings("deprecation") // BRPOPLPUSH (deprecated since Redis 6.2) is exactly what the guide uses
    Measurement naive(String name, int jobs) {
        jedis.flushAll();
        byte[] queue = name.getBytes(StandardCharsets.UTF_8);
        byte[] processing = (name + ":processing").getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < jobs; from += PRELOAD_CHUNK) {
            jedis.lpush(queue, Payloads.range(from, Math.min(PRELOAD_CHUNK, jobs - from), payloadBytes).toArray(new byte[0][]));
        }
        long done = 0;
        cpu.start();
        long start = System.nanoTime();
        for (int i = 0; i < jobs; i++) { // exactly as many as preloaded: never time the final empty wait
            byte[] job = jedis.brpoplpush(queue, processing, 1);
            if (job == null) {
                break;
            }
            done += jedis.lrem(processing, 1, job);
        }
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        if (done != jobs || jedis.llen(processing) != 0) {
            throw new IllegalStateException("the guide's consumer finished " + done + " of " + jobs + " jobs");
        }
        return m;
    }

    /**
     * Reaper requeue: {@code jobs} leases taken (not acked) under a 100 ms lease, left to expire, then one
     * {@link Reaper#reapExpired()}; only that call is timed.
     */
    Measurement reap(int jobs) {
        RedisQueue queue = freshQueue("bench:reap", Duration.ofMillis(100));
        push(queue, jobs);
        long taken = 0;
        while (taken < jobs) {
            List<Delivery> batch = queue.take(RedisQueue.MAX_BATCH);
            if (batch.isEmpty()) {
                throw new IllegalStateException("took " + taken + " of " + jobs + " jobs to lease, then the queue was empty");
            }
            taken += batch.size();
        }
        sleep(Duration.ofMillis(250)); // every lease is now past its 100 ms deadline
        Reaper reaper = new Reaper(redis, queue.config());
        cpu.start();
        long start = System.nanoTime();
        Reaper.Result result = reaper.reapExpired();
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        QueueCounts left = queue.counts();
        if (result.requeued() != jobs || left.retrying() != jobs || left.inFlight() != 0) {
            throw new IllegalStateException("reaper requeued " + result + " of " + jobs + " expired leases, left " + left);
        }
        return m;
    }

    /** Delayed promotion: {@code jobs} jobs long due in a delayed queue, one {@link DelayedPromoter#promoteDue()}. */
    Measurement promote(int jobs) {
        jedis.flushAll();
        RedisQueue delayed = new RedisQueue(redis, QueueConfig.builder("bench:delayed").kind(QueueKind.DELAYED)
                .dueTimeUnit(DueTimeUnit.SECONDS).build());
        Instant longAgo = Instant.ofEpochSecond(1);
        for (int from = 0; from < jobs; from += PRELOAD_CHUNK) {
            List<NewJob> chunk = new ArrayList<>();
            for (byte[] p : Payloads.range(from, Math.min(PRELOAD_CHUNK, jobs - from), payloadBytes)) {
                chunk.add(NewJob.of(p).dueAt(longAgo));
            }
            delayed.pushJobs(chunk);
        }
        DelayedPromoter promoter = new DelayedPromoter(redis, "bench:delayed", "bench:promoted", DueTimeUnit.SECONDS);
        cpu.start();
        long start = System.nanoTime();
        long promoted = promoter.promoteDue();
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        long target = jedis.llen("bench:promoted");
        if (promoted != jobs || target != jobs) {
            throw new IllegalStateException("promoter moved " + promoted + " of " + jobs + " due jobs, target holds " + target);
        }
        return m;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
