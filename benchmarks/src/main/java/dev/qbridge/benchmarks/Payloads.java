package dev.qbridge.benchmarks;

import dev.qbridge.core.queue.RedisQueue;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Distinct payloads of a fixed size: "job-&lt;n&gt;-" padded with dots, so no two collide in a sorted set. Shared by
 * the harness and the JMH benchmarks so that both move the same bytes. */
public final class Payloads {

    private static final int CHUNK = 10_000;

    private Payloads() {
    }

    public static byte[] payload(long n, int size) {
        byte[] prefix = ("job-" + n + "-").getBytes(StandardCharsets.US_ASCII);
        byte[] payload = new byte[Math.max(size, prefix.length)];
        Arrays.fill(payload, (byte) '.');
        System.arraycopy(prefix, 0, payload, 0, prefix.length);
        return payload;
    }

    /** Payloads {@code from .. from+count-1}. */
    public static List<byte[]> range(long from, int count, int size) {
        List<byte[]> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            out.add(payload(from + i, size));
        }
        return out;
    }

    /**
     * Pushes {@code jobs} distinct payloads onto {@code queue}, {@value #CHUNK} at a time, so that a backlog of
     * millions never sits in this JVM's heap at once.
     */
    public static void fill(RedisQueue queue, int jobs, int size) {
        for (int from = 0; from < jobs; from += CHUNK) {
            queue.push(range(from, Math.min(CHUNK, jobs - from), size));
        }
    }
}
