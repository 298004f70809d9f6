package dev.qbridge.core.queue;

import java.util.List;

/**
 * A page of a queue's ready jobs in the order a take would serve them ({@link RedisQueue#readyPage}).
 *
 * @param jobs the jobs, as many as asked for unless the ready jobs ended first
 * @param next where the next page starts: pass it as {@code from}
 * @param end  true when no ready job follows (as read now: pages are no snapshot of a queue that others change)
 */
public record ReadyPage(List<ReadyJob> jobs, long next, boolean end) {

    public ReadyPage {
        jobs = List.copyOf(jobs);
    }
}
