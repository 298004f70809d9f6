package dev.qbridge.formats;

import dev.qbridge.core.QueueException;
import java.util.Locale;

/** Which of a job system's sets a queue reads or writes: the option {@code set}. */
public enum JobSet {
    /** Jobs waiting for a worker (the default). */
    READY,
    /** Jobs due later; each keeps its time. */
    SCHEDULED,
    /** Failed jobs waiting for their next attempt; each keeps its time. */
    RETRY,
    /** Jobs the system gave up on; each keeps its time of death. */
    DEAD;

    public static JobSet parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new QueueException(QueueException.Kind.CONFIG,
                    "set '" + value + "' is unknown; use ready, scheduled, retry or dead");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
