package dev.qbridge.formats;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The names of one JSON object being read, to refuse a duplicate as {@link Json#MAPPER} does
 * ({@code STRICT_DUPLICATE_DETECTION}): for the few names of a job, a scan of an array instead of Jackson's detector,
 * whose hash set per object was a fifth of the cost of streaming a Sidekiq job (JFR, 2026-12-08).
 */
final class FieldNames {
    private static final int SCANNED = 16;

    private String[] names = new String[8];
    private int count;
    private Set<String> many;

    FieldNames clear() {
        count = 0;
        many = null;
        return this;
    }

    /** False when the object already has the name. */
    boolean add(String name) {
        if (many != null) {
            return many.add(name);
        }
        for (int i = 0; i < count; i++) {
            if (names[i].equals(name)) {
                return false;
            }
        }
        if (count == SCANNED) {
            many = new HashSet<>(List.of(names).subList(0, count));
            return many.add(name);
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, SCANNED);
        }
        names[count++] = name;
        return true;
    }
}
