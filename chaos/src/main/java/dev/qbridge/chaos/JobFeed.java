package dev.qbridge.chaos;

import dev.qbridge.core.queue.RedisQueue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes the run's jobs into the source queue evenly over the feed time, with the bad inputs mixed in at seeded
 * random places. A push that fails because Redis is restarting is retried until it succeeds: with
 * {@code appendfsync always} an acknowledged push survives the kill, and a push whose reply was lost may land
 * twice, which is a duplicate and never a loss.
 */
final class JobFeed implements Runnable {

    static final String JOB_PREFIX = "job-";
    static final String BAD_JSON_PREFIX = "bad-json-";
    static final String OVERSIZED_PREFIX = "big-";
    static final String COMPANION_PREFIX = "companion-";
    /** Larger than the source connector's max.job.bytes (1,000,000 by default) and the producer's 1 MiB max.request.size. */
    static final int OVERSIZED_BYTES = 1_200_000;
    private static final String BODY = "x".repeat(40);

    private final RedisQueue queue;
    private final ChaosOptions options;
    private final Map<Integer, byte[]> bad = new HashMap<>();
    private final AtomicLong pushed = new AtomicLong();
    private volatile long retriedBatches;
    private volatile boolean done;
    private volatile Throwable failure;

    JobFeed(RedisQueue queue, ChaosOptions options) {
        this.queue = queue;
        this.options = options;
        Random random = new Random(options.seed());
        int total = total();
        int n = 0;
        while (bad.size() < options.badJson() + options.oversized()) {
            int at = random.nextInt(total);
            if (!bad.containsKey(at)) {
                bad.put(at, n < options.badJson() ? badJson(n) : oversized(n - options.badJson()));
                n++;
            }
        }
    }

    int total() {
        return options.jobs() + options.badJson() + options.oversized();
    }

    static String jobId(int i) {
        return String.format("%s%07d", JOB_PREFIX, i);
    }

    static byte[] job(int i) {
        return ("{\"id\":\"" + jobId(i) + "\",\"seq\":" + i + ",\"body\":\"" + BODY + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** A good job of the queue whose companion key is broken during the run. */
    static byte[] companionJob(int i) {
        return String.format("{\"id\":\"%s%04d\",\"seq\":%d,\"body\":\"%s\"}", COMPANION_PREFIX, i, i, BODY)
                .getBytes(StandardCharsets.UTF_8);
    }

    /** Cut off in the middle of a value: the parser's reason says where. */
    private static byte[] badJson(int n) {
        return String.format("{\"id\":\"%s%04d\",\"seq\":%d,\"body\":", BAD_JSON_PREFIX, n, n).getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] oversized(int n) {
        byte[] pad = new byte[OVERSIZED_BYTES];
        Arrays.fill(pad, (byte) 'y');
        return (String.format("{\"id\":\"%s%04d\",\"pad\":\"", OVERSIZED_PREFIX, n) + new String(pad, StandardCharsets.US_ASCII)
                + "\"}").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void run() {
        try {
            int total = total();
            long start = System.nanoTime();
            double perMilli = total / (options.feedSeconds() * 1000.0);
            int next = 0;
            int good = 0;
            while (next < total) {
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                int due = (int) Math.min(total, Math.max(next + 1, (long) (elapsedMillis * perMilli)));
                if (due <= next) {
                    Thread.sleep(20);
                    continue;
                }
                List<byte[]> batch = new ArrayList<>(Math.min(1000, due - next));
                while (next < due && batch.size() < 1000) {
                    byte[] b = bad.get(next);
                    batch.add(b != null ? b : job(good++));
                    next++;
                }
                pushWithRetry(batch);
                pushed.addAndGet(batch.size());
                if (next >= due) {
                    Thread.sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            done = true;
        }
    }

    private void pushWithRetry(List<byte[]> batch) throws InterruptedException {
        while (true) {
            try {
                queue.push(batch);
                return;
            } catch (RuntimeException e) {
                retriedBatches++; // Redis restarting: same batch again
                Thread.sleep(200);
            }
        }
    }

    long pushed() {
        return pushed.get();
    }

    long retriedBatches() {
        return retriedBatches;
    }

    boolean isDone() {
        return done;
    }

    Throwable failure() {
        return failure;
    }
}
