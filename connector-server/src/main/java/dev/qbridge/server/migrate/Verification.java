package dev.qbridge.server.migrate;

import dev.qbridge.core.queue.QueueCounts;
import java.util.Locale;

/**
 * The check after a migration from a Redis queue: for a move, the source's pending jobs must have shrunk by exactly
 * the jobs written; for a copy, the source must be unchanged. A disagreement usually means another producer or
 * consumer was active on the source during the run.
 */
public record Verification(RedisMigration.Mode mode, QueueCounts before, QueueCounts after, long written,
                           long deadLettered) {

    public Verification(RedisMigration.Mode mode, QueueCounts before, QueueCounts after, long written) {
        this(mode, before, after, written, 0);
    }

    public boolean ok() {
        long shrank = before.pending() - after.pending();
        return mode == RedisMigration.Mode.COPY ? shrank == 0 : shrank == written + deadLettered;
    }

    /** The verification line: "verify: source before 200, after 0; written to destination 200; moved in 2.1s: OK". */
    public String line(String how, double seconds) {
        long shrank = before.pending() - after.pending();
        return String.format(Locale.ROOT, "verify: source before %s, after %s; written to destination %s%s; %s %.1fs: %s",
                n(before.pending()), n(after.pending()), n(written),
                deadLettered == 0 ? "" : ", unreadable and dead-lettered at the source " + n(deadLettered), how, seconds,
                ok() ? "OK"
                        : mode == RedisMigration.Mode.COPY ? "MISMATCH (the source changed during the copy)"
                        : "MISMATCH (source shrank by " + n(shrank) + "; other producers or consumers were active?)");
    }

    private static String n(long value) {
        return String.format(Locale.ROOT, "%,d", value);
    }
}
