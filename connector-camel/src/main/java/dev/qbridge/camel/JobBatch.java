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
     * Acks the successes in one round trip and nacks or dead-letters each failure. The consumer keeps whatever Redis
     * cannot take now and writes it again, so nothing here waits for an outage to end.
     */
    void finish(QueueConsumer consumer, RedisQueue deadLetterQueue, Predicate<Duration> sleep) {
        List<Delivery> acks;
        Map<Delivery, Failure> nacks;
        synchronized (this) {
            acks = List.copyOf(succeeded);
            nacks = new LinkedHashMap<>(failed);
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
