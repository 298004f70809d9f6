package dev.qbridge.camel;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.Backoff;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outcomes of one taken batch, recorded by the exchanges' {@link JobCompletion}s (from any thread) and
 * settled in Redis by the consumer thread once all are in: the acks in one round trip, then each failure.
 */
final class JobBatch {

    private static final Logger LOG = LoggerFactory.getLogger(JobBatch.class);
    private static final int SETTLE_ATTEMPTS = 10;

    /** Why a job failed and whether a retry can help. */
    private record Failure(String reason, boolean final_) {
    }

    private final CountDownLatch done;
    private final Set<Delivery> succeeded = new LinkedHashSet<>();
    private final Map<Delivery, Failure> failed = new LinkedHashMap<>();

    JobBatch(int size) {
        this.done = new CountDownLatch(size);
    }

    synchronized void succeeded(Delivery delivery) {
        if (!isSettled(delivery)) {
            succeeded.add(delivery);
            done.countDown();
        }
    }

    synchronized void failed(Delivery delivery, Exchange exchange, Throwable cause) {
        if (!isSettled(delivery)) {
            failed.put(delivery, new Failure(reason(cause), isNonRetriable(exchange, cause)));
            done.countDown();
        }
    }

    private boolean isSettled(Delivery delivery) {
        return succeeded.contains(delivery) || failed.containsKey(delivery);
    }

    void awaitAll() throws InterruptedException {
        done.await();
    }

    long pending() {
        return done.getCount();
    }

    /**
     * Acks the successes in one round trip and nacks or dead-letters each failure, retrying through a Redis outage
     * a few times: a job that cannot be settled is only delivered again after its lease, never lost.
     */
    void finish(RedisQueue queue, RedisQueue deadLetterQueue, Predicate<Duration> sleep) {
        List<Delivery> acks;
        Map<Delivery, Failure> nacks;
        synchronized (this) {
            acks = List.copyOf(succeeded);
            nacks = new LinkedHashMap<>(failed);
        }
        if (!acks.isEmpty()) {
            settle(queue, "ack " + acks.size() + " jobs", () -> queue.ack(acks), sleep);
        }
        for (Map.Entry<Delivery, Failure> nack : nacks.entrySet()) {
            Delivery delivery = nack.getKey();
            Failure failure = nack.getValue();
            boolean outOfAttempts = failure.final_() || !queue.config().retry().allowsRetryAfter(delivery.attempt());
            if (deadLetterQueue != null && outOfAttempts) {
                // the separate dead-letter queue gets the payload first, then the job is acked: a crash between
                // the two only dead-letters it twice
                settle(queue, "dead-letter job " + delivery.id() + " to " + deadLetterQueue.name(), () -> {
                    deadLetterQueue.push(delivery.payload());
                    queue.ack(delivery);
                }, sleep);
            } else if (failure.final_()) {
                settle(queue, "dead-letter job " + delivery.id(), () -> queue.deadLetter(delivery, failure.reason()), sleep);
            } else {
                settle(queue, "nack job " + delivery.id(), () -> queue.nack(delivery, failure.reason()), sleep);
            }
        }
    }

    private static void settle(RedisQueue queue, String what, Runnable step, Predicate<Duration> sleep) {
        Backoff backoff = Backoff.forOutages();
        for (int attempt = 1; ; attempt++) {
            try {
                step.run();
                return;
            } catch (QueueException e) {
                if (attempt >= SETTLE_ATTEMPTS || !e.isRetriable() || !sleep.test(backoff.next())) {
                    LOG.warn("queue {}: could not {}: {}; they will be delivered again after their lease",
                            queue.name(), what, e.getMessage());
                    return;
                }
            }
        }
    }

    static String reason(Throwable cause) {
        if (cause == null) {
            return "the exchange failed (rolled back) without an exception";
        }
        String message = cause.getMessage();
        return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** Marked by the route with the {@link RedisqConstants#DEAD_LETTER} property, or a {@link NonRetriableJobException}. */
    static boolean isNonRetriable(Exchange exchange, Throwable cause) {
        if (exchange != null && Boolean.TRUE.equals(exchange.getProperty(RedisqConstants.DEAD_LETTER, Boolean.class))) {
            return true;
        }
        for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof NonRetriableJobException) {
                return true;
            }
        }
        return false;
    }
}
