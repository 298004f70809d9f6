package dev.qbridge.core.queue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A job to push: its payload and, for sorted-set queues, a priority or a due time. Unset values take the
 * queue's defaults ({@link QueueConfig#defaultPriority()}, {@link QueueConfig#defaultDelay()}).
 */
public record NewJob(byte[] payload, Optional<Long> priority, Optional<Duration> delay, Optional<Instant> dueAt) {

    public static NewJob of(byte[] payload) {
        return new NewJob(payload, Optional.empty(), Optional.empty(), Optional.empty());
    }

    public static NewJob of(String payload) {
        return of(payload.getBytes(StandardCharsets.UTF_8));
    }

    public NewJob withPriority(long priority) {
        return new NewJob(payload, Optional.of(priority), delay, dueAt);
    }

    public NewJob withDelay(Duration delay) {
        return new NewJob(payload, priority, Optional.of(delay), Optional.empty());
    }

    public NewJob dueAt(Instant dueAt) {
        return new NewJob(payload, priority, Optional.empty(), Optional.of(dueAt));
    }
}
