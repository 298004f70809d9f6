package dev.qbridge.core.queue;

import java.util.Optional;

/**
 * A job waiting in a queue's ready key, read without taking it.
 *
 * @param payload the producer's bytes, unchanged
 * @param score   its score in a sorted set (a priority, a due time, a job system's time) as Redis prints it; empty for
 *                a list's job
 */
public record ReadyJob(byte[] payload, Optional<String> score) {

    /** The score as a number ({@code inf} and {@code -inf} included). */
    public Optional<Double> scoreValue() {
        return score.map(Scores::parse);
    }
}
