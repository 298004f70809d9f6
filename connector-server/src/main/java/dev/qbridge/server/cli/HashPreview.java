package dev.qbridge.server.cli;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One line that says what a job kept in a hash of its own is, for {@code queues peek}: RQ's {@code description}, the
 * call as RQ's client wrote it ({@code tasks.add(1, 2)}), which needs no unpickling of {@code data}; else the hash's
 * field names, so that an unexpected job still shows what it holds.
 */
final class HashPreview {

    private static final int MAX_CHARS = 200;

    private HashPreview() {
    }

    static String of(String key, Map<String, byte[]> hash) {
        if (hash.isEmpty()) {
            // read-hashes returns no fields for a missing key, as for one of another type: a take dead-letters both
            return "(its job hash " + key + " is missing, or not a hash)";
        }
        byte[] description = hash.get("description");
        if (description != null) {
            String text = new String(description, StandardCharsets.UTF_8);
            return text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "... (" + text.length() + " chars)" : text;
        }
        return "(no description; fields " + String.join(", ", hash.keySet()) + ")";
    }
}
