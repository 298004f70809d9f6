package dev.qbridge.core.consume;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.lease.LeaseRenewer;
import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.retry.Backoff;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Consumer threads over one queue: each takes a batch under a lease, hands every job to the handler, then
 * acks the successes in one round trip and nacks the failures. Leases are renewed while jobs run. Redis
 * outages are waited out with backoff and logged once. {@link #close()} stops taking, lets the jobs in hand
 * finish and acks them, so a graceful stop strands nothing; a crash strands nothing either, since leased
 * jobs come back through the reaper.
 */
public final class QueueWorker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QueueWorker.class);

    private final RedisQueue queue;
    private final JobHandler handler;
    private final int batchSize;
    private final Duration pollWait;
    private final LeaseRenewer renewer;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch stopped;
    private final OutageLog outages;
    private volatile boolean running = true;

    private QueueWorker(RedisQueue queue, JobHandler handler, int threadCount, int batchSize, Duration pollWait) {
        this.queue = queue;
        this.handler = handler;
        this.batchSize = batchSize;
        this.pollWait = pollWait;
        this.renewer = new LeaseRenewer(queue);
        this.stopped = new CountDownLatch(threadCount);
        this.outages = new OutageLog(LOG, "consumer of queue " + queue.name());
        for (int i = 0; i < threadCount; i++) {
            Thread t = new Thread(this::run, "qbridge-worker-" + queue.name() + "-" + i);
            threads.add(t);
        }
    }

    /** Starts {@code threads} consumers taking up to {@code batchSize} jobs at a time. */
    public static QueueWorker start(RedisQueue queue, JobHandler handler, int threads, int batchSize) {
        QueueWorker worker = new QueueWorker(queue, handler, threads, batchSize, Duration.ofMillis(500));
        worker.threads.forEach(Thread::start);
        return worker;
    }

    private void run() {
        Backoff backoff = Backoff.forOutages();
        try {
            while (running) {
                List<Delivery> batch;
                try {
                    batch = queue.take(batchSize, pollWait);
                    outages.succeeded();
                    backoff.reset();
                } catch (QueueException e) {
                    Duration wait = backoff.next();
                    outages.failed(e, wait.toMillis());
                    if (!sleep(wait)) {
                        return;
                    }
                    continue;
                }
                if (!batch.isEmpty()) {
                    process(batch);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    private void process(List<Delivery> batch) {
        renewer.track(batch);
        List<Delivery> done = new ArrayList<>(batch.size());
        try {
            for (Delivery delivery : batch) {
                try {
                    handler.handle(delivery);
                    done.add(delivery);
                } catch (Exception e) {
                    finishFailed(delivery, e);
                }
            }
            finishDone(done);
        } finally {
            renewer.release(batch);
        }
    }

    /** Acks with retries: giving up would only make the jobs come back after their lease, never lose them. */
    private void finishDone(List<Delivery> done) {
        if (done.isEmpty()) {
            return;
        }
        Backoff backoff = Backoff.forOutages();
        for (int attempt = 1; ; attempt++) {
            try {
                queue.ack(done);
                return;
            } catch (QueueException e) {
                if (attempt >= 10) {
                    LOG.warn("could not ack {} jobs on queue {}: {}; they will be delivered again after their lease",
                            done.size(), queue.name(), e.getMessage());
                    return;
                }
                if (!sleep(backoff.next())) {
                    return;
                }
            }
        }
    }

    private void finishFailed(Delivery delivery, Exception failure) {
        String reason = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        try {
            queue.nack(delivery, reason);
        } catch (QueueException e) {
            LOG.warn("could not nack job {} on queue {}: {}; it will be delivered again after its lease",
                    delivery.id(), queue.name(), e.getMessage());
        }
    }

    private static boolean sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops taking jobs and waits up to {@code timeout} for the jobs in hand to finish and be acked. */
    public boolean stop(Duration timeout) {
        running = false;
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            renewer.close();
        }
    }

    @Override
    public void close() {
        stop(queue.config().leaseTimeout());
    }
}
