package dev.qbridge.core.queue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * One entry of a dead-letter list: the job, how many deliveries it had, when and why it failed.
 * Stored as "id:attempt:score:failedAtMillis:reasonLength:reason" followed by the payload bytes.
 */
public record DeadLetter(long id, int attempts, Optional<String> score, long failedAtMillis, String reason, byte[] payload) {

    public static DeadLetter parse(byte[] entry) {
        int[] colons = new int[5];
        int from = 0;
        for (int i = 0; i < colons.length; i++) {
            colons[i] = indexOf(entry, from);
            if (colons[i] < 0) {
                throw new IllegalArgumentException("not a qbridge dead letter: " + Delivery.preview(entry));
            }
            from = colons[i] + 1;
        }
        long id = Long.parseLong(ascii(entry, 0, colons[0]));
        int attempts = Integer.parseInt(ascii(entry, colons[0] + 1, colons[1]));
        String score = ascii(entry, colons[1] + 1, colons[2]);
        long failedAt = Long.parseLong(ascii(entry, colons[2] + 1, colons[3]));
        int reasonLength = Integer.parseInt(ascii(entry, colons[3] + 1, colons[4]));
        int reasonStart = colons[4] + 1;
        String reason = new String(entry, reasonStart, reasonLength, StandardCharsets.UTF_8);
        byte[] payload = Arrays.copyOfRange(entry, reasonStart + reasonLength, entry.length);
        return new DeadLetter(id, attempts, score.isEmpty() ? Optional.empty() : Optional.of(score), failedAt, reason, payload);
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    private static String ascii(byte[] bytes, int from, int to) {
        return new String(bytes, from, to - from, StandardCharsets.US_ASCII);
    }

    public String payloadAsString() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}
