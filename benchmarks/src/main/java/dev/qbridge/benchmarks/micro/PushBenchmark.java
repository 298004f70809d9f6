package dev.qbridge.benchmarks.micro;

import dev.qbridge.benchmarks.Payloads;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link RedisQueue#push(List)} of a batch of payloads onto a reliable queue (one LPUSH per 1,000); the score
 * is jobs/s. The payload lists are built once per trial; the list is deleted after each iteration so that
 * Redis's memory does not grow across the run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class PushBenchmark extends RedisBenchmarkBase {

    @Param({"64"})
    public int payloadBytes;

    private RedisQueue queue;
    private List<byte[]> ten;
    private List<byte[]> hundred;
    private List<byte[]> thousand;

    @Override
    protected void prepare() {
        queue = new RedisQueue(redis, QueueConfig.builder("bench:push").build());
        thousand = Payloads.range(0, 1000, payloadBytes);
        hundred = thousand.subList(0, 100);
        ten = thousand.subList(0, 10);
    }

    @TearDown(Level.Iteration)
    public void emptyQueue() {
        admin.del(queue.keys().ready());
    }

    @Benchmark
    @OperationsPerInvocation(10)
    public long batch10() {
        return queue.push(ten);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public long batch100() {
        return queue.push(hundred);
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public long batch1000() {
        return queue.push(thousand);
    }
}
