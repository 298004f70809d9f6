package dev.qbridge.core.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job to push to a queue of job ids with a hash each ({@link QueueConfig.JobHashes}): its id, which goes into the
 * list, and the fields of its hash, written first.
 *
 * @param id      what the list holds; the hash is {@code <keyPrefix><id>}
 * @param hash    the hash's fields in the order they are written (HSET)
 * @param expires when set, the hash expires this long after the push (RQ's {@code ttl}: a job not run by then is
 *                dropped by Redis, as RQ's client makes it)
 * @param at      for a queue whose ids sit in a sorted set, the id's score as a time (RQ's scheduled registry: when
 *                the job is due; its failed registry: when RQ drops it), in the queue's due time unit; none: now
 */
public record NewHashJob(byte[] id, Map<String, byte[]> hash, Optional<Duration> expires, Optional<Instant> at) {

    public NewHashJob {
        Objects.requireNonNull(id, "id");
        if (hash.isEmpty()) {
            throw new IllegalArgumentException("a job of a queue with job hashes needs at least one field in its hash");
        }
        hash = Collections.unmodifiableMap(new LinkedHashMap<>(hash));
        Objects.requireNonNull(expires, "expires");
        Objects.requireNonNull(at, "at");
        if (expires.isPresent() && expires.get().toSeconds() < 1) {
            throw new IllegalArgumentException("a job hash expires after a second at least, was " + expires.get());
        }
    }

    /** A job of a list of ids. */
    public NewHashJob(byte[] id, Map<String, byte[]> hash, Optional<Duration> expires) {
        this(id, hash, expires, Optional.empty());
    }

    public static NewHashJob of(byte[] id, Map<String, byte[]> hash) {
        return new NewHashJob(id, hash, Optional.empty());
    }
}
