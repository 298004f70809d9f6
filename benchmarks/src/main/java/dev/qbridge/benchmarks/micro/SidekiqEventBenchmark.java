package dev.qbridge.benchmarks.micro;

import dev.qbridge.formats.JobEvents;
import dev.qbridge.formats.JobSet;
import dev.qbridge.formats.SidekiqCodec;
import dev.qbridge.formats.WrittenEvent;
import io.cloudevents.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One Sidekiq job (the harness's 164-byte jobs, as Sidekiq 6.4 writes them) to its CloudEvent's JSON, per job on one
 * core: {@code sdk} builds the event with the SDK and writes it with the SDK's JSON format (the tree way),
 * {@code streamed} is what the Kafka source, Camel and migrate use ({@link SidekiqCodec#write}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SidekiqEventBenchmark {
    private static final int JOBS = 1024;

    private final SidekiqCodec codec = new SidekiqCodec();
    private byte[][] jobs;
    private int next;

    @Setup
    public void makeJobs() {
        jobs = new byte[JOBS][];
        double now = System.currentTimeMillis() / 1000.0;
        for (int i = 0; i < JOBS; i++) {
            jobs[i] = String.format(Locale.ROOT, "{\"retry\":true,\"queue\":\"%s\",\"args\":[%d,\"order\"],"
                    + "\"class\":\"HardWorker\",\"jid\":\"%024x\",\"created_at\":%.7f,\"enqueued_at\":%.7f}",
                    "bench", i, i, now + i / 1000.0, now + i / 1000.0).getBytes(StandardCharsets.UTF_8);
        }
    }

    private byte[] nextJob() {
        next = (next + 1) & (JOBS - 1);
        return jobs[next];
    }

    @Benchmark
    public byte[] sdk() {
        CloudEvent event = codec.toEvent(nextJob(), "bench", JobSet.READY, Optional.empty());
        return JobEvents.serialize(event);
    }

    @Benchmark
    public WrittenEvent streamed() {
        return codec.write(nextJob(), "bench", JobSet.READY, Optional.empty());
    }
}
