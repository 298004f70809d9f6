package dev.qbridge.core.consume;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a consumer can move jobs, and if not, why, since when: what a health check, a status page or a metric
 * reports. A consumer that cannot move jobs keeps them safe in Redis meanwhile and tries again with backoff.
 *
 * @param status  what the consumer is doing
 * @param problem why it cannot move jobs (a Redis or destination error, naming the key or host), empty when running
 * @param since   when the status began
 */
public record ConsumerHealth(Status status, Optional<String> problem, Instant since) {

    public enum Status {
        /** Taking and settling jobs. */
        RUNNING,
        /** Redis cannot be reached, refuses the credentials or the TLS handshake, or is loading: waiting with backoff. */
        REDIS_UNAVAILABLE,
        /**
         * A key of the queue holds another type, the ACL user lacks a permission on its keys, or another error no retry
         * mends: the queue is skipped with backoff.
         */
        QUEUE_BROKEN,
        /** Where the jobs go cannot take them: the jobs in hand stay leased and are tried again with backoff. */
        DESTINATION_UNAVAILABLE,
        /** Closed. */
        STOPPED
    }

    static ConsumerHealth running(Instant since) {
        return new ConsumerHealth(Status.RUNNING, Optional.empty(), since);
    }

    /** True when the consumer moves jobs. */
    public boolean isRunning() {
        return status == Status.RUNNING;
    }

    @Override
    public String toString() {
        return status + problem.map(p -> ": " + p).orElse("");
    }
}
