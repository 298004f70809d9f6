package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.SystemQueue;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import redis.clients.jedis.UnifiedJedis;

/**
 * The harness's redis-server as the bridge rows use it: the core's connection, a plain client for checks, the URI
 * the bridges are configured with, and the size of the payloads every row moves.
 */
record HarnessRedis(RedisConnection redis, UnifiedJedis jedis, String uri, int payloadBytes) {

    /** RQ 1.13's data of Queue.enqueue('tasks.add', 7, 'order'): zlib of the pickle of its call, as captured. */
    private static final byte[] RQ_JOB_DATA = HexFormat.of().parseHex(
            "789c6b609d2acf00011a3d9c2589c5d9c57a89292953fcbcd97b58f38b52528ba6b44da99d5232450f00e55a0d4a");

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

    /**
     * A Sidekiq queue {@code name} ({@code queue:<name>}) holding {@code jobs} jobs shaped as Sidekiq 6.4's client
     * writes them (the interop tests prove that shape with the real client; here only the cost of reading it counts).
     */
    RedisQueue preloadedSidekiq(String name, int jobs) {
        jedis.flushAll();
        SystemQueue system = SystemQueue.ready(JobFormat.SIDEKIQ, name);
        RedisQueue queue = new RedisQueue(redis, system.config().build());
        double now = System.currentTimeMillis() / 1000.0;
        for (int from = 0; from < jobs; from += 10_000) {
            List<byte[]> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(jobs, from + 10_000); i++) {
                chunk.add(String.format(Locale.ROOT, "{\"retry\":true,\"queue\":\"%s\",\"args\":[%d,\"order\"],"
                        + "\"class\":\"HardWorker\",\"jid\":\"%024x\",\"created_at\":%.7f,\"enqueued_at\":%.7f}",
                        name, i, i, now, now).getBytes(StandardCharsets.UTF_8));
            }
            queue.push(chunk);
        }
        return queue;
    }

    /**
     * An RQ queue {@code name} ({@code rq:queue:<name>} and a hash {@code rq:job:<id>} per job) holding {@code jobs}
     * jobs shaped as RQ 1.13's client writes them (preload-rq.lua), 10,000 per script before any clock starts.
     */
    RedisQueue preloadedRq(String name, int jobs) {
        jedis.flushAll();
        SystemQueue system = SystemQueue.ready(JobFormat.RQ, name);
        RedisQueue queue = new RedisQueue(redis, system.config().build());
        byte[] script = Scripts.text("preload-rq.lua").getBytes(StandardCharsets.UTF_8);
        byte[] now = bytes(DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT)
                .format(LocalDateTime.now(ZoneOffset.UTC)));
        for (int from = 0; from < jobs; from += 10_000) {
            jedis.eval(script, List.of(bytes(system.readyKey()), bytes("rq:queues")), List.of(RQ_JOB_DATA, bytes(name), now,
                    bytes(Integer.toString(from)), bytes(Integer.toString(Math.min(10_000, jobs - from)))));
        }
        return queue;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    CpuMeter cpuMeter() {
        return new CpuMeter(jedis);
    }
}
