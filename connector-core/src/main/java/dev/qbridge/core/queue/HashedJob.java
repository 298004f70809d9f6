package dev.qbridge.core.queue;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ready job of a queue of job ids with a hash each, read without being taken ({@link RedisQueue#readyWithHashes}).
 *
 * @param id   what the list holds
 * @param hash the fields of its hash, in Redis' order; empty when the hash is missing (or its key holds another type)
 */
public record HashedJob(byte[] id, Map<String, byte[]> hash) {

    public HashedJob {
        hash = hash.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(hash));
    }
}
