package dev.qbridge.core.queue;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A ready job of a queue of job ids with a hash each, read without being taken ({@link RedisQueue#readyWithHashes}).
 *
 * @param id   what the list holds
 * @param hash  the fields of its hash, in Redis' order; empty when the hash is missing (or its key holds another type)
 * @param score the id's score as Redis printed it, for a sorted set of ids; empty for a list
 */
public record HashedJob(byte[] id, Map<String, byte[]> hash, Optional<String> score) {

    public HashedJob {
        hash = hash.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hash));
    }
}
