package dev.qbridge.core.queue;

import dev.qbridge.core.QueueException;
import java.util.Locale;

/** The three queue shapes of the guide, each stored as the guide's producers write it. */
public enum QueueKind {
    /** A list: producers LPUSH, consumers take from the tail (FIFO). */
    RELIABLE("list"),
    /** A sorted set: lower score is taken first. */
    PRIORITY("zset"),
    /** A sorted set whose score is the due time; only due jobs are taken or promoted. */
    DELAYED("zset");

    private final String redisType;

    QueueKind(String redisType) {
        this.redisType = redisType;
    }

    /** The Redis type (as TYPE answers) of the ready key of this kind. */
    public String redisType() {
        return redisType;
    }

    /** Parses reliable, priority or delayed, in any case, with a message that lists the choices. */
    public static QueueKind parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new QueueException(QueueException.Kind.CONFIG,
                    "queue kind '" + value + "' is unknown; use reliable, priority or delayed");
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
