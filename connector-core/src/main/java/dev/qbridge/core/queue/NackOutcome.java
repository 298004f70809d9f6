package dev.qbridge.core.queue;

/** What became of a delivery that was nacked. */
public enum NackOutcome {
    /** Scheduled for another delivery after its backoff. */
    RETRY_SCHEDULED,
    /** Out of attempts (or refused outright): moved to the dead-letter list with the reason. */
    DEAD_LETTERED,
    /** The lease had already expired and the job was requeued; this nack changed nothing. */
    LEASE_LOST
}
