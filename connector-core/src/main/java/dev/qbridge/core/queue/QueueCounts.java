package dev.qbridge.core.queue;

/**
 * The monitoring numbers of one queue, read in one round trip.
 *
 * @param ready      jobs waiting to be taken (for a delayed queue: those already due)
 * @param inFlight   jobs leased to a consumer and not yet acked
 * @param delayed    jobs of a delayed queue not yet due
 * @param retrying   jobs waiting out a retry backoff, or requeued after their lease expired
 * @param dead       dead letters
 * @param guideProcessing jobs in the guide-style {@code <queue>:processing} list of foreign consumers
 */
public record QueueCounts(long ready, long inFlight, long delayed, long retrying, long dead, long guideProcessing) {

    /** Every job the queue holds in any state; a job is in exactly one of them. */
    public long total() {
        return ready + inFlight + delayed + retrying + dead + guideProcessing;
    }

    /** Jobs not yet finished and not dead: what a consumer still has to do. */
    public long pending() {
        return ready + inFlight + delayed + retrying + guideProcessing;
    }
}
