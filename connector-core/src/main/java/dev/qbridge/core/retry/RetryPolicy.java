package dev.qbridge.core.retry;

import dev.qbridge.core.QueueException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How often a failed job is tried again and how long it waits in between: exponential backoff from
 * {@code initialBackoff}, multiplied by {@code multiplier} per attempt, capped at {@code maxBackoff}, with
 * up to {@code jitter} (a fraction) taken off at random so that jobs failing together do not retry together.
 * After {@code maxAttempts} deliveries a job is dead-lettered.
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff, double jitter) {

    public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 0.2);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw invalid("maxAttempts must be at least 1 (1 = never retry), was " + maxAttempts);
        }
        if (initialBackoff.isNegative()) {
            throw invalid("initial backoff must not be negative, was " + initialBackoff);
        }
        if (multiplier < 1.0) {
            throw invalid("backoff multiplier must be at least 1.0, was " + multiplier);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw invalid("max backoff " + maxBackoff + " is shorter than the initial backoff " + initialBackoff);
        }
        if (jitter < 0.0 || jitter > 1.0) {
            throw invalid("jitter must be between 0.0 and 1.0, was " + jitter);
        }
    }

    public static RetryPolicy of(int maxAttempts, Duration initialBackoff) {
        return new RetryPolicy(maxAttempts, initialBackoff, DEFAULT.multiplier, DEFAULT.maxBackoff.compareTo(initialBackoff) < 0
                ? initialBackoff : DEFAULT.maxBackoff, DEFAULT.jitter);
    }

    /** True when a job whose delivery number {@code attempt} failed may be delivered again. */
    public boolean allowsRetryAfter(int attempt) {
        return attempt < maxAttempts;
    }

    /** The wait before the delivery after attempt {@code attempt} (1 = the first delivery failed). */
    public Duration backoffAfter(int attempt) {
        double base = initialBackoff.toMillis() * Math.pow(multiplier, Math.max(0, attempt - 1));
        double capped = Math.min(base, maxBackoff.toMillis());
        double jittered = capped * (1.0 - jitter * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.round(jittered));
    }

    private static QueueException invalid(String why) {
        return new QueueException(QueueException.Kind.CONFIG, "invalid retry policy: " + why);
    }
}
