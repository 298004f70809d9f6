package dev.qbridge.core.queue;

import dev.qbridge.core.QueueException;
import java.util.Locale;

/** The unit of a delayed queue's scores: epoch seconds (the guide's {@code time.time()}) or milliseconds. */
public enum DueTimeUnit {
    SECONDS(1000),
    MILLISECONDS(1);

    private final long millisPerUnit;

    DueTimeUnit(long millisPerUnit) {
        this.millisPerUnit = millisPerUnit;
    }

    public long millisPerUnit() {
        return millisPerUnit;
    }

    public static DueTimeUnit parse(String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "s", "sec", "seconds" -> SECONDS;
            case "ms", "millis", "milliseconds" -> MILLISECONDS;
            default -> throw new QueueException(QueueException.Kind.CONFIG,
                    "due time unit '" + value + "' is unknown; use seconds or milliseconds");
        };
    }
}
