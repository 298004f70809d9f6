package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.server.Qbridge;
import dev.qbridge.testkit.RedisServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/**
 * The {@code qbridge migrate} row: a backlog moved from a reliable queue on the harness's redis-server to the same
 * queue on a second, fresh redis-server (an old Redis to a new one), by the very command a user runs, in this JVM.
 * Timed from the command's start to its exit (Camel's start included); afterwards the source must be empty and the
 * destination must hold every job exactly once.
 */
final class MigrateWorkload {

    private final HarnessRedis server;
    private final int batch;
    private final CpuMeter cpu;
    private int run;

    MigrateWorkload(HarnessRedis server, int batch) {
        this.server = server;
        this.batch = batch;
        this.cpu = server.cpuMeter();
    }

    Measurement redisToRedis(int jobs) {
        String name = "bench-migrate-" + (++run);
        RedisQueue queue = server.preloaded(name, jobs);
        try (RedisServer destination = RedisServer.start()) {
            StringWriter output = new StringWriter();
            CommandLine cli = Qbridge.commandLine();
            cli.setOut(new PrintWriter(output, true));
            cli.setErr(new PrintWriter(output, true));
            cpu.start();
            long start = System.nanoTime();
            int exit = cli.execute("migrate", "--from", "redisq:" + name + "?redisUri=" + server.uri(),
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
