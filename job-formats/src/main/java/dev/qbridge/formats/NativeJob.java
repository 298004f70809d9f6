package dev.qbridge.formats;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A job as its system stores it: what its queue holds and, for a system that keeps each job in a hash of its own
 * (RQ), that hash. A codec reads one ({@link JobCodec#toEvent(NativeJob, String, JobSet)}) and writes one
 * ({@link JobCodec#toNative(io.cloudevents.CloudEvent, String, JobSet)}).
 *
 * @param bytes    what the system's queue holds: the whole job (Sidekiq, Celery), or the job's id (RQ)
 * @param at       the score of the system's sorted set: when the job is due (scheduled, retry) or died (Sidekiq's
 *                 dead); for RQ's failed registry, when RQ drops the entry
 * @param priority the system's priority, where it keeps priorities apart (Celery's priority lists)
 * @param hash     the fields of the job's own hash ({@code rq:job:<id>}), in the order the system's client writes
 *                 them; empty for the systems whose queue holds the whole job. Values are bytes: RQ's {@code data} is
 *                 zlib, its {@code meta} a pickle
 */
public record NativeJob(byte[] bytes, Optional<Instant> at, OptionalInt priority, Map<String, byte[]> hash) {

    public NativeJob {
        hash = hash.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hash));
    }

    public NativeJob(byte[] bytes, Optional<Instant> at, OptionalInt priority) {
        this(bytes, at, priority, Map.of());
    }

    public static NativeJob of(byte[] bytes) {
        return new NativeJob(bytes, Optional.empty(), OptionalInt.empty());
    }

    /** A job kept as an id in its queue and a hash of its own, read together (see docs/systems.md, RQ). */
    public static NativeJob ofHash(byte[] id, Map<String, byte[]> hash, Optional<Instant> at) {
        return new NativeJob(id, at, OptionalInt.empty(), hash);
    }
}
