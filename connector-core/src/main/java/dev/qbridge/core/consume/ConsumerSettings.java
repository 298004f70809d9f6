package dev.qbridge.core.consume;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link QueueConsumer} runs; the queue's own semantics (lease timeout, retries, batch bytes) are in its
 * {@link dev.qbridge.core.queue.QueueConfig}.
 *
 * @param owner        who consumes, for log lines ("redisq consumer of queue orders")
 * @param maxInHand    most jobs taken and not yet settled at once; a take gets at most the room left
 * @param reapInterval how often expired leases of dead consumers are requeued; zero when another process reaps
 * @param renewLeases  renew the leases of jobs in hand at half the lease timeout, so a slow job is not delivered
 *                     again under its consumer
 */
public record ConsumerSettings(String owner, int maxInHand, Duration reapInterval, boolean renewLeases) {

    public ConsumerSettings {
        Objects.requireNonNull(owner, "owner");
        if (maxInHand < 1) {
            throw new IllegalArgumentException("maxInHand must be at least 1, was " + maxInHand);
        }
        if (reapInterval.isNegative()) {
            throw new IllegalArgumentException("reapInterval must not be negative, was " + reapInterval);
        }
    }

    /** No bound on jobs in hand, a reaper every 5 s, leases renewed. */
    public static ConsumerSettings of(String owner) {
        return new ConsumerSettings(owner, Integer.MAX_VALUE, Duration.ofSeconds(5), true);
    }

    public ConsumerSettings maxInHand(int maxInHand) {
        return new ConsumerSettings(owner, maxInHand, reapInterval, renewLeases);
    }

    public ConsumerSettings reapInterval(Duration reapInterval) {
        return new ConsumerSettings(owner, maxInHand, reapInterval, renewLeases);
    }

    public ConsumerSettings renewLeases(boolean renewLeases) {
        return new ConsumerSettings(owner, maxInHand, reapInterval, renewLeases);
    }
}
