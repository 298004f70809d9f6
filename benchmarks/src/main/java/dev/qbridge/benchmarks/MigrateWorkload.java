package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;
import redis.clients.jedis.UnifiedJedis;

/**
 * The {@code qbridge migrate} row: a backlog moved from a reliable queue on the harness's redis-server to the same
 * queue on a second, fresh redis-server (an old Redis to a new one), by the very command a user runs, in this JVM.
 * Timed from the command's start to its exit (Camel's start included); afterwards the source must be empty and the
 * destination must hold every job exactly once.
 */
final class MigrateWorkload {

    private final RedisConnection redis;
    private final UnifiedJedis jedis;
    private final String redisUri;
    private final int payloadBytes;
    private final int batch;
    private final CpuMeter cpu;
    private int run;

    MigrateWorkload(RedisConnection redis, UnifiedJedis jedis, String redisUri, int payloadBytes, int batch) {
        this.redis = redis;
        this.jedis = jedis;
        this.redisUri = redisUri;
        this.payloadBytes = payloadBytes;
        this.batch = batch;
        this.cpu = new CpuMeter(jedis);
    }

    Measurement redisToRedis(int jobs) {
        String name = "bench-migrate-" + (++run);
        jedis.flushAll();
        RedisQueue queue = new RedisQueue(redis, QueueConfig.builder(name).build());
        for (int from = 0; from < jobs; from += 10_000) {
            queue.push(Payloads.range(from, Math.min(10_000, jobs - from), payloadBytes));
        }
        try (RedisServer destination = RedisServer.start()) {
            StringWriter output = new StringWriter();
            CommandLine cli = Qbridge.commandLine();
            cli.setOut(new PrintWriter(output, true));
            cli.setErr(new PrintWriter(output, true));
            cpu.start();
            long start = System.nanoTime();
            int exit = cli.execute("migrate", "--from", "redisq:" + name + "?redisUri=" + redisUri,
                    "--to", "redisq:" + name + "?redisUri=" + destination.uri(), "--batch-size", String.valueOf(batch),
                    "--progress", "none");
            Measurement m = cpu.stop(jobs, System.nanoTime() - start);
            long left = queue.counts().total();
            long moved = destination.client().llen(name);
            if (exit != 0 || left != 0 || moved != jobs) {
                throw new IllegalStateException("qbridge migrate exited with " + exit + ", left " + left + " jobs at the "
                        + "source and wrote " + moved + " of " + jobs + ":\n" + output);
            }
            return m;
        }
    }
}
