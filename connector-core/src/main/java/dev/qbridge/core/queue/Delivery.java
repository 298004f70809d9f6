package dev.qbridge.core.queue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One job handed to one consumer under a lease. Acking, nacking or renewing it names this exact delivery,
 * so an ack that arrives after the lease expired and the job went to another consumer touches nothing.
 *
 * @param queue    the queue it was taken from
 * @param id       the job's id, assigned when it was first taken and kept across redeliveries
 * @param attempt  1 for the first delivery, 2 for the first redelivery, and so on
 * @param score    the sorted-set score it had (priority, or due time), empty for list queues
 * @param payload  the producer's bytes, unchanged
 * @param lease    the lease member in Redis: "id:attempt:score:payload"
 * @param takenAtMillis when this process took it (local clock), for lease renewal
 * @param hash     for a queue of job ids with a hash each ({@link QueueConfig.JobHashes}), the fields of the job's hash
 *                 (the payload is its id), read in the step that took the id, in Redis' order; empty otherwise
 */
public record Delivery(String queue, long id, int attempt, Optional<String> score, byte[] payload, byte[] lease,
                       long takenAtMillis, Map<String, byte[]> hash) {

    public Delivery {
        hash = hash.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hash));
    }

    /** This delivery with the job's hash, read with it. */
    Delivery withHash(Map<String, byte[]> fields) {
        return new Delivery(queue, id, attempt, score, payload, lease, takenAtMillis, fields);
    }

    /** Parses a lease member as the take scripts build it. */
    public static Delivery parse(String queue, byte[] lease, long takenAtMillis) {
        int a = indexOf(lease, 0);
        int b = indexOf(lease, a + 1);
        int c = indexOf(lease, b + 1);
        if (a < 0 || b < 0 || c < 0) {
            throw new IllegalArgumentException("not a qbridge lease member: " + preview(lease));
        }
        // parsed from the bytes, without intermediate strings: this runs for every job taken
        long id = digits(lease, 0, a);
        int attempt = (int) digits(lease, a + 1, b);
        Optional<String> score = c == b + 1 ? Optional.empty()
                : Optional.of(new String(lease, b + 1, c - b - 1, StandardCharsets.US_ASCII));
        byte[] payload = Arrays.copyOfRange(lease, c + 1, lease.length);
        return new Delivery(queue, id, attempt, score, payload, lease, takenAtMillis, Map.of());
    }

    private static long digits(byte[] bytes, int from, int to) {
        if (from == to) {
            throw new IllegalArgumentException("not a qbridge lease member: " + preview(bytes));
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new IllegalArgumentException("not a qbridge lease member: " + preview(bytes));
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The score as a number: the priority of a priority-queue job, or the due time of a delayed one; {@code inf} and
     * {@code -inf}, which guide producers may write, are the infinities.
     */
    public Optional<Double> scoreValue() {
        return score.map(Scores::parse);
    }

    /** The payload decoded as UTF-8, for text jobs. */
    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }

    /** A short, safe rendering of a payload for messages. */
    static String preview(byte[] bytes) {
        String s = new String(bytes, 0, Math.min(bytes.length, 80), StandardCharsets.UTF_8);
        return bytes.length > 80 ? s + "..." : s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Delivery d && Arrays.equals(d.lease, lease) && d.queue.equals(queue);
    }

    /**
     * Consistent with {@link #equals}: equal leases hold equal ids and attempts. Hashing those instead of the
     * lease keeps a set of deliveries in flight from rehashing every payload on each add and remove.
     */
    @Override
    public int hashCode() {
        return (31 * queue.hashCode() + Long.hashCode(id)) * 31 + attempt;
    }

    @Override
    public String toString() {
        return "Delivery[" + queue + " id=" + id + " attempt=" + attempt + score.map(s -> " score=" + s).orElse("")
                + " payload=" + preview(payload) + "]";
    }
}
