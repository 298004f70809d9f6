package dev.qbridge.benchmarks.micro;

import dev.qbridge.benchmarks.Payloads;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.RedisQueue;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
 * take(batch) + ack of the same deliveries on a reliable queue: the consumer's whole Redis cost per job.
 * One method per batch size, each with {@code @OperationsPerInvocation(batch)}, so the score is jobs/s.
 * Before each iteration the ready list is topped up to {@link #READY_TARGET} jobs (fewer for large payloads),
 * more than any iteration here consumes, so the queue never runs dry inside the measurement; if it ever does,
 * the benchmark refills inline and says so on stderr (that iteration's score then includes a push). Run with
 * {@code -t 2} for two consumer threads sharing the queue, {@code -p payloadBytes=1024} for larger jobs.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class TakeAckBenchmark extends RedisBenchmarkBase {

    /** At ~800k jobs/s (BUILD-NOTES' best) a 2 s iteration takes 1.6M. */
    static final int READY_TARGET = 3_000_000;
    /** Large payloads move far slower; cap what is preloaded at about this many bytes of payload. */
    private static final long READY_BYTES = 512L << 20;
    private static final int CHUNK = 10_000;

    /** Payload size; the lease member carries the payload, so take+ack costs grow with it. */
    @Param({"64"})
    public int payloadBytes;

    private RedisQueue queue;
    private int readyTarget;
    private final AtomicLong refills = new AtomicLong();
    private long pushedSoFar;

    @Override
    protected void prepare() {
        queue = new RedisQueue(redis, QueueConfig.builder("bench:takeack").leaseTimeout(Duration.ofMinutes(5)).build());
        readyTarget = (int) Math.max(100_000, Math.min(READY_TARGET, READY_BYTES / payloadBytes));
    }

    @Setup(Level.Iteration)
    public void topUp() {
        long ready = admin.llen(queue.keys().ready());
        while (ready < readyTarget) {
            int n = (int) Math.min(CHUNK, readyTarget - ready);
            queue.push(payloads(n));
            ready += n;
        }
    }

    @TearDown(Level.Iteration)
    public void reportRefills() {
        long n = refills.getAndSet(0);
        if (n > 0) {
            System.err.println("TakeAckBenchmark: the ready list ran dry " + n + " times in this iteration; "
                    + "its score includes inline refills: raise READY_TARGET");
        }
    }

    @Benchmark
    @OperationsPerInvocation(1)
    public long batch1() {
        return takeAck(1);
    }

    @Benchmark
    @OperationsPerInvocation(10)
    public long batch10() {
        return takeAck(10);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public long batch100() {
        return takeAck(100);
    }

    @Benchmark
    @OperationsPerInvocation(500)
    public long batch500() {
        return takeAck(500);
    }

    @Benchmark
    @OperationsPerInvocation(1000)
    public long batch1000() {
        return takeAck(1000);
    }

    private long takeAck(int batch) {
        List<Delivery> taken = queue.take(batch);
        if (taken.size() < batch) {
            refills.incrementAndGet();
            queue.push(payloads(CHUNK * 10));
            if (taken.isEmpty()) {
                taken = queue.take(batch);
            }
        }
        return queue.ack(taken);
    }

    private synchronized List<byte[]> payloads(int n) {
        List<byte[]> out = Payloads.range(pushedSoFar, n, payloadBytes);
        pushedSoFar += n;
        return out;
    }
}
