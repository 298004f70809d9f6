package dev.qbridge.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import redis.clients.jedis.UnifiedJedis;

/**
 * The bare lease-zset design, the yardstick of issue 12: a take that is {@code RPOP q n} and one {@code ZADD} of the
 * payloads with their deadline, an ack that is one {@code ZREM} of the payloads, a reaper that is
 * {@code ZRANGEBYSCORE} + {@code ZREM} + {@code RPUSH}. No ids, attempts, retries or dead letters: the least Redis
 * work any lease-based queue can do, so qbridge's rows are printed as a ratio to these. Its scripts are resources of
 * this module on purpose: nothing ships them. Like {@link QueueWorkloads}, every workload checks its counts after.
 */
final class BareLeaseDesign {

    private static final byte[] READY = bytes("bare:q");
    private static final byte[] LEASES = bytes("bare:leases");
    private static final int PRELOAD_CHUNK = 10_000;
    /** Expired leases per reaper call, as qbridge's Reaper. */
    static final int REAP_BATCH = 1000;

    private final UnifiedJedis jedis;
    private final CpuMeter cpu;
    private final byte[] take;
    private final byte[] reap;

    BareLeaseDesign(UnifiedJedis jedis) {
        this.jedis = jedis;
        this.cpu = new CpuMeter(jedis);
        this.take = bytes(jedis.scriptLoad(Scripts.text("bare-take.lua")));
        this.reap = bytes(jedis.scriptLoad(Scripts.text("bare-reap.lua")));
    }

    /**
     * {@code threads} consumers take(batch) + ack of {@code jobs} preloaded payloads of {@code payloadBytes} until the
     * list is empty, as {@link QueueWorkloads#takeAck} does for qbridge: same client, same pool, same payloads.
     */
    Measurement takeAck(int jobs, int batch, int threads, int payloadBytes) {
        preload(jobs, payloadBytes);
        long deadline = System.currentTimeMillis() + 300_000; // never expires during the run
        List<byte[]> args = List.of(bytes(Integer.toString(batch)), bytes(Long.toString(deadline)));
        LongAdder acked = new LongAdder();
        Measurement m = Threads.drain(cpu, jobs, threads, "bare-take-ack", () -> {
            List<byte[]> taken = takeBatch(args);
            // preloaded and nobody pushes: empty means done
            return taken.isEmpty() ? Threads.EMPTY : jedis.zrem(LEASES, taken.toArray(new byte[0][]));
        }, acked);
        long left = jedis.llen(READY) + jedis.zcard(LEASES);
        if (acked.sum() != jobs || left != 0) {
            throw new IllegalStateException("bare take+ack of " + jobs + " jobs acked " + acked.sum() + " and left " + left);
        }
        return m;
    }

    /**
     * {@code jobs} payloads taken under a deadline already past, then the reaper script called, {@value #REAP_BATCH}
     * per call, until it finds no more; only the reaper is timed, as for qbridge's row.
     */
    Measurement reap(int jobs, int payloadBytes) {
        preload(jobs, payloadBytes);
        List<byte[]> takeArgs = List.of(bytes(Integer.toString(REAP_BATCH)), bytes(Long.toString(System.currentTimeMillis())));
        long taken = 0;
        while (taken < jobs) {
            List<byte[]> batch = takeBatch(takeArgs);
            if (batch.isEmpty()) {
                throw new IllegalStateException("took " + taken + " of " + jobs + " jobs to lease, then the list was empty");
            }
            taken += batch.size();
        }
        List<byte[]> reapArgs = List.of(bytes(Long.toString(System.currentTimeMillis())), bytes(Integer.toString(REAP_BATCH)));
        long requeued = 0;
        cpu.start();
        long start = System.nanoTime();
        while (true) {
            long n = (Long) jedis.evalsha(reap, List.of(LEASES, READY), reapArgs);
            requeued += n;
            if (n < REAP_BATCH) {
                break;
            }
        }
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        long ready = jedis.llen(READY);
        if (requeued != jobs || ready != jobs || jedis.zcard(LEASES) != 0) {
            throw new IllegalStateException("bare reaper requeued " + requeued + " of " + jobs + " expired leases, ready " + ready);
        }
        return m;
    }

    @SuppressWarnings("unchecked")
    private List<byte[]> takeBatch(List<byte[]> args) {
        return (List<byte[]>) jedis.evalsha(take, List.of(READY, LEASES), args);
    }

    /** An otherwise empty server holding {@code jobs} distinct payloads, pushed as qbridge's push does (LPUSH). */
    private void preload(int jobs, int payloadBytes) {
        jedis.flushAll();
        for (int from = 0; from < jobs; from += PRELOAD_CHUNK) {
            jedis.lpush(READY, Payloads.range(from, Math.min(PRELOAD_CHUNK, jobs - from), payloadBytes).toArray(new byte[0][]));
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
