package dev.qbridge.benchmarks;

import dev.qbridge.core.consume.QueueWorker;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.QueueCounts;
import dev.qbridge.core.queue.RedisQueue;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * Two workloads that are not about throughput:
 * <ul>
 *   <li>{@link #latency}: one producer pushes at a fixed rate, one {@link QueueWorker} (1 thread, batch 100)
 *   consumes; every payload carries its scheduled enqueue time ({@link System#nanoTime()}, same JVM), and the
 *   handler records enqueue-to-delivery latency per job. The time stamped is the time the job was <em>due</em>
 *   by the schedule, not the time the producer got round to pushing it, so a late producer counts against the
 *   latency as well (no coordinated omission).</li>
 *   <li>{@link #heap}: a preloaded backlog, one {@link QueueWorker} (1 thread, batch 500) over its first jobs;
 *   the JVM's used heap after {@link System#gc()} before and while it consumes.</li>
 * </ul>
 */
final class LatencyAndHeap {

    static final int LATENCY_BATCH = 100;
    static final int HEAP_BATCH = 500;
    /** Jobs the heap workload consumes of each backlog (fewer when the backlog is smaller). */
    static final int HEAP_CONSUMED = 100_000;
    /** The backlog the large one is compared with (smaller when --heap-backlog is smaller). */
    static final int HEAP_SMALL_BACKLOG = 10_000;
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration WARM_UP = Duration.ofSeconds(1);
    private static final Pattern USED_MEMORY = Pattern.compile("used_memory:(\\d+)");

    private LatencyAndHeap() {
    }

    /** Latency percentiles in nanoseconds over {@code jobs} recorded jobs. */
    record Latency(int rate, int seconds, long jobs, double achievedRate, long p50, long p99, long p999, long max,
                   long producerLateP99) {
    }

    /** Used heap after a full GC (bytes): before the consumer started and the largest sample while it consumed. */
    record Heap(long backlog, long consumed, double seconds, long usedBefore, long usedWhileMax, int samples,
                long redisUsedMemory) {
    }

    // ---- latency ------------------------------------------------------------------------------------

    static Latency latency(QueueWorkloads work, int rate, int seconds, int payloadBytes) {
        RedisQueue queue = work.freshQueue("bench:latency", LEASE);
        // the throughput rows before this leave millions of dead payloads in the old generation: collect them now,
        // or their collection pauses the consumer during the run and counts as the queue's latency
        System.gc();
        long warmUpJobs = Math.max(1, rate * WARM_UP.toSeconds());
        long measured = (long) rate * seconds;
        long total = warmUpJobs + measured;
        if (measured > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("--latency-rate x --latency-seconds is too large: " + measured);
        }
        long[] latencies = new long[(int) measured];
        long[] late = new long[(int) measured]; // how late the producer pushed each job: its share of the latency
        AtomicLong handled = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[] recorded = {0};
        QueueWorker worker = QueueWorker.start(queue, delivery -> {
            long now = System.nanoTime();
            long[] stamp = parseStamp(delivery.payload());
            if (stamp[0] >= warmUpJobs) {
                latencies[(int) recorded[0]++] = now - stamp[1]; // one consumer thread: no races
            }
            handled.incrementAndGet();
        }, 1, LATENCY_BATCH);

        Thread producer = new Thread(() -> {
            try {
                produce(queue, rate, total, warmUpJobs, late, payloadBytes);
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
            }
        }, "latency-producer");
        long start = System.nanoTime();
        producer.start();
        Threads.joinAll(List.of(producer));
        long produced = System.nanoTime() - start;
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (handled.get() < total && failure.get() == null && System.nanoTime() < deadline) {
            LockSupport.parkNanos(1_000_000);
        }
        worker.stop(Duration.ofSeconds(30)); // happens-before: the worker thread has ended, latencies[] is visible
        Threads.rethrow(failure.get(), "the latency producer");
        QueueCounts left = queue.counts();
        if (handled.get() != total || recorded[0] != measured || left.total() != 0) {
            throw new IllegalStateException("latency run pushed " + total + " jobs, handled " + handled.get()
                    + " (recorded " + recorded[0] + ") and left " + left);
        }
        Arrays.sort(latencies);
        Arrays.sort(late);
        return new Latency(rate, seconds, measured, total * 1e9 / produced, percentile(latencies, 0.50),
                percentile(latencies, 0.99), percentile(latencies, 0.999), latencies[latencies.length - 1],
                percentile(late, 0.99));
    }

    /**
     * Pushes job i when it is due at {@code start + i / rate}, all jobs that are due in one push: at 50,000 jobs/s a
     * job is due every 20 µs, less than a push takes, so a push carries the few that fell due meanwhile, each
     * stamped with its own due time. Records in {@code late} how long after its due time each measured job was
     * pushed.
     */
    private static void produce(RedisQueue queue, int rate, long total, long warmUpJobs, long[] late, int payloadBytes) {
        long start = System.nanoTime();
        long next = 0;
        List<byte[]> due = new ArrayList<>();
        while (next < total) {
            long now = System.nanoTime();
            long first = next;
            while (next < total && dueAt(start, next, rate) <= now) {
                due.add(stamped(next, dueAt(start, next, rate), payloadBytes));
                next++;
            }
            if (!due.isEmpty()) {
                queue.push(due);
                due.clear();
                long pushed = System.nanoTime();
                for (long job = Math.max(first, warmUpJobs); job < next; job++) {
                    late[(int) (job - warmUpJobs)] = pushed - dueAt(start, job, rate);
                }
            }
            if (next < total) {
                long wait = dueAt(start, next, rate) - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
            }
        }
    }

    private static long dueAt(long start, long job, int rate) {
        return start + job * 1_000_000_000L / rate;
    }

    /** "seq:nanos-" padded with dots to {@code size} bytes. */
    static byte[] stamped(long seq, long nanos, int size) {
        byte[] head = (seq + ":" + nanos + "-").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[Math.max(size, head.length)];
        Arrays.fill(payload, (byte) '.');
        System.arraycopy(head, 0, payload, 0, head.length);
        return payload;
    }

    /** {seq, nanos} of a {@link #stamped} payload, parsed without allocating a String. */
    static long[] parseStamp(byte[] p) {
        int i = 0;
        long seq = 0;
        while (p[i] != ':') {
            seq = seq * 10 + (p[i++] - '0');
        }
        i++;
        boolean negative = p[i] == '-';
        if (negative) {
            i++;
        }
        long nanos = 0;
        while (p[i] != '-') {
            nanos = nanos * 10 + (p[i++] - '0');
        }
        return new long[] {seq, negative ? -nanos : nanos};
    }

    /** The smallest value with at least {@code p} of the sorted values at or below it. */
    static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    // ---- heap ---------------------------------------------------------------------------------------

    /** Preloads {@code backlog} jobs, then one QueueWorker (1 thread, batch 500) consumes the first {@code consume}. */
    static Heap heap(QueueWorkloads work, UnifiedJedis jedis, int backlog, int consume, int payloadBytes) {
        RedisQueue queue = work.freshQueue("bench:heap", LEASE);
        Payloads.fill(queue, backlog, payloadBytes);
        long redisMemory = redisUsedMemory(jedis);
        long before = usedHeapAfterGc();

        AtomicLong handled = new AtomicLong();
        long start = System.nanoTime();
        QueueWorker worker = QueueWorker.start(queue, delivery -> handled.incrementAndGet(), 1, HEAP_BATCH);
        long whileMax = -1;
        int samples = 0;
        long[] thresholds = {consume / 4, consume / 2, consume * 3L / 4};
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        for (long threshold : thresholds) {
            while (handled.get() < threshold && System.nanoTime() < deadline) {
                LockSupport.parkNanos(100_000);
            }
            if (handled.get() < consume) { // still consuming: a sample "while"
                whileMax = Math.max(whileMax, usedHeapAfterGc());
                samples++;
            }
        }
        while (handled.get() < consume && System.nanoTime() < deadline) {
            LockSupport.parkNanos(100_000);
        }
        worker.stop(Duration.ofSeconds(30)); // lets the batch in hand finish and be acked
        long nanos = System.nanoTime() - start;
        if (samples == 0) { // consumed faster than we could look: sample right after instead
            whileMax = usedHeapAfterGc();
        }
        long done = handled.get();
        QueueCounts left = queue.counts();
        if (done < consume || left.ready() != backlog - done || left.inFlight() != 0) {
            throw new IllegalStateException("heap run over " + backlog + " jobs handled " + done + " of " + consume
                    + " and left " + left);
        }
        return new Heap(backlog, done, nanos / 1e9, before, whileMax, samples, redisMemory);
    }

    static long usedHeapAfterGc() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static long redisUsedMemory(UnifiedJedis jedis) {
        Matcher m = USED_MEMORY.matcher(jedis.info("memory"));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    // ---- report -------------------------------------------------------------------------------------

    static String render(List<Latency> latencies, List<Heap> heaps, int payloadBytes) {
        StringBuilder out = new StringBuilder();
        if (!latencies.isEmpty()) {
            out.append("\nlatency at a fixed rate: enqueue (scheduled push time) to delivery to the handler, ")
                    .append("QueueWorker 1 thread, batch ").append(LATENCY_BATCH).append(", after ")
                    .append(WARM_UP.toSeconds()).append(" s of warm-up at the same rate (not recorded); producer late: ")
                    .append("how long after its scheduled time the push carrying a job returned, the producer's share\n\n");
            out.append("| latency | jobs | achieved jobs/s | p50 ms | p99 ms | p99.9 ms | max ms | producer late p99 ms |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Latency l : latencies) {
                out.append("| latency: ").append(ResultTable.count(l.rate())).append(" jobs/s for ").append(l.seconds())
                        .append(" s | ").append(ResultTable.count(l.jobs())).append(" | ")
                        .append(ResultTable.count(Math.round(l.achievedRate()))).append(" | ").append(ms(l.p50()))
                        .append(" | ").append(ms(l.p99())).append(" | ").append(ms(l.p999())).append(" | ")
                        .append(ms(l.max())).append(" | ").append(ms(l.producerLateP99())).append(" |\n");
            }
        }
        if (!heaps.isEmpty()) {
            out.append(String.format(Locale.ROOT, "%nheap with a backlog: JVM used heap after System.gc(), before the "
                            + "consumer started and the largest of the samples at 1/4, 1/2, 3/4 of its jobs; QueueWorker "
                            + "1 thread, batch %d, %d-byte payloads; max heap %.0f MB%n%n", HEAP_BATCH, payloadBytes,
                    mb(Runtime.getRuntime().maxMemory())));
            out.append("| heap | backlog | jobs consumed | seconds (GC samples included) | used heap before MB | used heap while consuming MB "
                    + "| samples | Redis used_memory MB |\n");
            out.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
            for (Heap h : heaps) {
                out.append("| heap: backlog ").append(ResultTable.count(h.backlog())).append(" | ")
                        .append(ResultTable.count(h.backlog())).append(" | ").append(ResultTable.count(h.consumed()))
                        .append(" | ").append(ResultTable.seconds(h.seconds())).append(" | ")
                        .append(decimal(mb(h.usedBefore()))).append(" | ").append(decimal(mb(h.usedWhileMax())))
                        .append(" | ").append(h.samples()).append(" | ")
                        .append(h.redisUsedMemory() < 0 ? ResultTable.NOT_AVAILABLE : decimal(mb(h.redisUsedMemory())))
                        .append(" |\n");
            }
        }
        return out.toString();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }

    private static double mb(long bytes) {
        return bytes / (1024.0 * 1024.0);
    }

    private static String decimal(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
