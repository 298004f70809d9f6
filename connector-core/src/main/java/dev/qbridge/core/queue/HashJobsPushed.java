package dev.qbridge.core.queue;

import java.util.List;

/**
 * What a push of jobs with hashes did ({@link RedisQueue#pushHashes}).
 *
 * @param pushed   jobs written (hash, then id)
 * @param existing ids not pushed because their hash was already there: a redelivery of a job written before (an
 *                 at-least-once move), or another job of the same id, which is never overwritten
 */
public record HashJobsPushed(long pushed, List<String> existing) {

    public HashJobsPushed {
        existing = List.copyOf(existing);
    }
}
