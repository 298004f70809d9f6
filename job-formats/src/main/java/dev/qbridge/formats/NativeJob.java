package dev.qbridge.formats;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A job as its system stores it.
 *
 * @param bytes    what the system's client writes
 * @param at       when it is due (scheduled, retry) or died (dead): the score of the system's sorted sets
 * @param priority the system's priority, where it keeps priorities apart (Celery's priority lists)
 */
public record NativeJob(byte[] bytes, Optional<Instant> at, OptionalInt priority) {

    public static NativeJob of(byte[] bytes) {
        return new NativeJob(bytes, Optional.empty(), OptionalInt.empty());
    }
}
