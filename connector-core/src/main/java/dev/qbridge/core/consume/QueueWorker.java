package dev.qbridge.core.consume;

import dev.qbridge.core.queue.Delivery;
import dev.qbridge.core.queue.RedisQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Consumer threads over one queue: each takes a batch, hands every job to the handler, then acks the successes in
 * one round trip and nacks the failures. Everything that keeps the jobs safe in between (lease renewal, the reaper,
 * outages, a broken queue, release on stop) is the {@link QueueConsumer} they share. {@link #close()} stops taking,
 * lets the jobs in hand finish and acks them, so a graceful stop strands nothing; a crash strands nothing either,
 * since leased jobs come back through the reaper.
 */
public final class QueueWorker implements AutoCloseable {

    private final QueueConsumer consumer;
    private final JobHandler handler;
    private final int batchSize;
    private final Duration pollWait;
    private final List<Thread> threads = new ArrayList<>();
    private final CountDownLatch stopped;
    private volatile boolean running = true;

    private QueueWorker(QueueConsumer consumer, JobHandler handler, int threadCount, int batchSize, Duration pollWait) {
        this.consumer = consumer;
        this.handler = handler;
        this.batchSize = batchSize;
        this.pollWait = pollWait;
        this.stopped = new CountDownLatch(threadCount);
        for (int i = 0; i < threadCount; i++) {
            threads.add(new Thread(this::run, "qbridge-worker-" + consumer.queue().name() + "-" + i));
        }
    }

    /** Starts {@code threads} consumers taking up to {@code batchSize} jobs at a time. */
    public static QueueWorker start(RedisQueue queue, JobHandler handler, int threads, int batchSize) {
        return start(QueueConsumer.start(queue, ConsumerSettings.of("consumer of queue " + queue.name())), handler, threads,
                batchSize);
    }

    /** Starts {@code threads} consumers that drive {@code consumer}; closing the worker closes it. */
    public static QueueWorker start(QueueConsumer consumer, JobHandler handler, int threads, int batchSize) {
        QueueWorker worker = new QueueWorker(consumer, handler, threads, batchSize, Duration.ofMillis(500));
        worker.threads.forEach(Thread::start);
        return worker;
    }

    private void run() {
        try {
            while (running) {
                List<Delivery> batch = consumer.take(batchSize, pollWait);
                if (!batch.isEmpty()) {
                    process(batch);
                }
            }
        } finally {
            stopped.countDown();
        }
    }

    private void process(List<Delivery> batch) {
        List<Delivery> done = new ArrayList<>(batch.size());
        for (Delivery delivery : batch) {
            try {
                handler.handle(delivery);
                done.add(delivery);
            } catch (Exception e) {
                consumer.nack(List.of(delivery), e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        consumer.ack(done);
    }

    /** Whether jobs move, and if not, why. */
    public ConsumerHealth health() {
        return consumer.health();
    }

    /**
     * Stops taking jobs and waits up to {@code timeout} for the jobs in hand to finish and be acked; then releases
     * whatever is still in hand. Returns true when every thread finished in time.
     */
    public boolean stop(Duration timeout) {
        running = false;
        try {
            return stopped.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            consumer.close();
        }
    }

    @Override
    public void close() {
        stop(consumer.queue().config().leaseTimeout());
    }
}
