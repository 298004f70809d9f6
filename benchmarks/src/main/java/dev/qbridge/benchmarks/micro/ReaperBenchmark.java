package dev.qbridge.benchmarks.micro;

import dev.qbridge.core.lease.Reaper;
import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKeys;
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
 * {@link Reaper#reapExpired()} over {@link #EXPIRED} leases that expired long ago: the time to requeue the
 * jobs of a dead consumer. Before each invocation (not timed) the lease set is refilled with members in the
 * take scripts' format {@code "<id>:1::<payload>"} at score 1 (1970) and the reaped list emptied; the score
 * is leases requeued per second.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
@Threads(1)
public class ReaperBenchmark extends RedisBenchmarkBase {

    static final int EXPIRED = 100_000;

    private Reaper reaper;
    private QueueKeys keys;
    private long nextId;

    @Override
    protected void prepare() {
        QueueConfig config = QueueConfig.builder("bench:reap").build();
        reaper = new Reaper(redis, config);
        keys = config.keys();
    }

    @Setup(Level.Invocation)
    public void expireLeases() {
        admin.del(keys.retry(), keys.reaped(), keys.leases());
        for (int from = 0; from < EXPIRED; from += 1000) {
            Map<byte[], Double> leases = new HashMap<>();
            for (int i = 0; i < 1000; i++) {
                long id = ++nextId;
                leases.put((id + ":1::job-" + id + "-" + ".".repeat(48)).getBytes(StandardCharsets.US_ASCII), 1.0);
            }
            admin.zadd(keys.leases(), leases);
        }
    }

    @Benchmark
    @OperationsPerInvocation(EXPIRED)
    public long requeueExpired() {
        Reaper.Result result = reaper.reapExpired();
        if (result.requeued() != EXPIRED) {
            throw new IllegalStateException("requeued " + result + " of " + EXPIRED + " expired leases");
        }
        return result.requeued();
    }

}
