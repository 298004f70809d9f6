package dev.qbridge.benchmarks.micro;

import dev.qbridge.core.delay.DelayedPromoter;
import dev.qbridge.core.queue.DueTimeUnit;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DelayedPromoter#promoteDue()} of {@link #DUE} jobs, all due (score 1, epoch seconds), from a delayed
 * sorted set to a ready list. Before each invocation (not timed) the delayed set is refilled and the target
 * list deleted; the score is jobs promoted per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class PromoteBenchmark extends RedisBenchmarkBase {

    static final int DUE = 100_000;
    private static final String DELAYED = "bench:delayed";
    private static final String TARGET = "bench:ready";

    private DelayedPromoter promoter;
    private long nextId;

    @Override
    protected void prepare() {
        promoter = new DelayedPromoter(redis, DELAYED, TARGET, DueTimeUnit.SECONDS);
    }

    @Setup(Level.Invocation)
    public void scheduleDueJobs() {
        admin.del(DELAYED, TARGET);
        byte[] key = DELAYED.getBytes(StandardCharsets.UTF_8);
        for (int from = 0; from < DUE; from += 1000) {
            Map<byte[], Double> jobs = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                jobs.put(("job-" + ++nextId + "-" + ".".repeat(48)).getBytes(StandardCharsets.US_ASCII), 1.0);
            }
            admin.zadd(key, jobs);
        }
    }

    @Benchmark
    @OperationsPerInvocation(DUE)
    public long promoteDue() {
        long promoted = promoter.promoteDue();
        if (promoted != DUE) {
            throw new IllegalStateException("promoted " + promoted + " of " + DUE + " due jobs");
        }
        return promoted;
    }
}
