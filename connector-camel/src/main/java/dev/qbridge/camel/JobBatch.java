package dev.qbridge.camel;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.consume.QueueConsumer;
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
 * The outcomes of one routed batch, recorded by the exchanges' {@link JobCompletion}s (from any thread) and
 * settled in Redis by the consumer thread once all are in: the acks in one round trip, then each failure. Jobs whose
 * destination was unavailable are not settled: {@link #finish} hands them back to be tried again, attempt uncounted.
 */
final class JobBatch {

    private static final Logger LOG = LoggerFactory.getLogger(JobBatch.class);
    private static final int SETTLE_ATTEMPTS = 10;

    /** Why a job failed and whether a retry can help. */
    private record Failure(String reason, boolean final_) {
    }

    /**
     * Jobs whose destination could not take them, and why: they are still in hand, their attempt not counted.
     *
     * @param deliveries the jobs, in the order they failed
     * @param reason     why the destination is unavailable (the first failure that said so); null when none
     */
    record Held(List<Delivery> deliveries, String reason) {
        static final Held NONE = new Held(List.of(), null);

        boolean isEmpty() {
            return deliveries.isEmpty();
        }
    }

    private final CountDownLatch done;
    private final DestinationOutages outages;
    private final Set<Delivery> succeeded = new LinkedHashSet<>();
    private final Map<Delivery, Failure> failed = new LinkedHashMap<>();
    private final Set<Delivery> held = new LinkedHashSet<>();
    private volatile String outage;

    JobBatch(int size, DestinationOutages outages) {
        this.done = new CountDownLatch(size);
        this.outages = outages;
    }

    synchronized void succeeded(Delivery delivery) {
        if (!isSettled(delivery)) {
            succeeded.add(delivery);
            done.countDown();
        }
    }

    /** A failure marked non-retriable is the job's, whatever its cause; otherwise an outage holds the job. */
    synchronized void failed(Delivery delivery, Exchange exchange, Throwable cause) {
        if (isSettled(delivery)) {
            return;
        }
        boolean final_ = isNonRetriable(exchange, cause);
        if (!final_ && outages.isOutage(cause)) {
            if (outage == null) {
                outage = outages.reason(cause);
            }
            held.add(delivery);
        } else {
            failed.put(delivery, new Failure(reason(cause), final_));
        }
        done.countDown();
    }

    /** A job not routed because its destination was found unavailable on the way: held with those that failed. */
    synchronized void notRouted(Delivery delivery) {
        if (!isSettled(delivery)) {
            held.add(delivery);
            done.countDown();
        }
    }

    /** True once an exchange of this batch found the destination unavailable. */
    boolean destinationUnavailable() {
        return outage != null;
    }

    private boolean isSettled(Delivery delivery) {
        return succeeded.contains(delivery) || failed.containsKey(delivery) || held.contains(delivery);
    }

    void awaitAll() throws InterruptedException {
        done.await();
    }

    long pending() {
        return done.getCount();
    }

    /**
     * Acks the successes in one round trip and nacks or dead-letters each failure. The consumer keeps whatever Redis
     * cannot take now and writes it again, so nothing here waits for an outage to end. Returns the jobs whose
     * destination was unavailable, unsettled: they stay in hand, their leases renewed.
     */
    Held finish(QueueConsumer consumer, RedisQueue deadLetterQueue, Predicate<Duration> sleep) {
        List<Delivery> acks;
        Map<Delivery, Failure> nacks;
        Held unavailable;
        synchronized (this) {
            acks = List.copyOf(succeeded);
            nacks = new LinkedHashMap<>(failed);
            unavailable = held.isEmpty() ? Held.NONE : new Held(List.copyOf(held), outage);
        }
        consumer.ack(acks);
        for (Map.Entry<Delivery, Failure> nack : nacks.entrySet()) {
            Delivery delivery = nack.getKey();
            Failure failure = nack.getValue();
            boolean outOfAttempts = failure.final_() || !consumer.queue().config().retry().allowsRetryAfter(delivery.attempt());
            if (deadLetterQueue != null && outOfAttempts) {
                // the separate dead-letter queue gets the payload first, then the job is acked: a crash between the two
                // only dead-letters it twice
                if (pushed(deadLetterQueue, delivery, sleep)) {
                    consumer.ack(List.of(delivery));
                } else {
                    consumer.nack(List.of(delivery), failure.reason());
                }
            } else if (failure.final_()) {
                consumer.deadLetter(List.of(delivery), failure.reason());
            } else {
                consumer.nack(List.of(delivery), failure.reason());
            }
        }
        return unavailable;
    }

    /** Pushes a failed job to the separate dead-letter queue, trying through a short outage. */
    private static boolean pushed(RedisQueue deadLetterQueue, Delivery delivery, Predicate<Duration> sleep) {
        Backoff backoff = Backoff.forOutages();
        for (int attempt = 1; ; attempt++) {
            try {
                deadLetterQueue.push(delivery.payload());
                return true;
            } catch (QueueException e) {
                if (attempt >= SETTLE_ATTEMPTS || !e.isRetriable() || !sleep.test(backoff.next())) {
                    LOG.warn("queue {}: could not dead-letter job {} to {}: {}; it is nacked instead", delivery.queue(),
                            delivery.id(), deadLetterQueue.name(), e.getMessage());
                    return false;
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
