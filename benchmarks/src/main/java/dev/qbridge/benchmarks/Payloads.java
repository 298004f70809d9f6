package dev.qbridge.benchmarks;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Distinct payloads of a fixed size: "job-&lt;n&gt;-" padded with dots, so no two collide in a sorted set. Shared by
 * the harness and the JMH benchmarks so that both move the same bytes. */
public final class Payloads {

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
}
