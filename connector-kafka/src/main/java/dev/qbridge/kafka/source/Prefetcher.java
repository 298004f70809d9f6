package dev.qbridge.kafka.source;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Runs the Redis side of a source task (write the acks, take a batch, build its records) on a thread of its own,
 * one batch ahead of Kafka Connect's send loop. With one thread, the worker's thread waited for every take and ack
 * and for Redis's work on them while the producer had nothing to do: at 160k-200k jobs/s Redis was 34-40% busy, all
 * of it on the task's critical path. Now the next batch is taken while Connect converts and sends this one.
 *
 * <p>The batches taken ahead are leased in Redis and held by the task's consumers like any other job in hand: their
 * leases are renewed, they count against {@code max.in.flight}, and a stop releases those never handed to Connect.
 */
public final class Prefetcher<T> implements AutoCloseable {

    /** One step of the Redis side: writes what is finished, then takes the next batch (empty when there is none). */
    public interface Step<T> {
        List<T> next() throws InterruptedException;
    }

    /**
     * How often the thread, while Connect has not yet taken the batch it left, runs {@code whileWaiting}: the acks
     * are also written before every take, so this matters only while Connect is slow; more often would cut the
     * acks into smaller ZREMs, which cost Redis more per job.
     */
    private static final long HANDOVER_SLICE_MILLIS = 10;

    private final BlockingQueue<List<T>> ready = new ArrayBlockingQueue<>(1);
    private final Step<T> step;
    private final Runnable whileWaiting;
    private final Consumer<List<T>> giveBack;
    private final Duration holdAtMost;
    private final AtomicInteger waitingPolls = new AtomicInteger();
    private final Object taken = new Object();
    private final Thread thread;
    private volatile boolean closed;
    private volatile Throwable failure;

    /**
     * Starts the thread. {@code whileWaiting} runs every few milliseconds while a batch waits for Connect (the task
     * writes its acks there, so that the room under {@code max.in.flight} frees up while Connect is busy sending);
     * {@code giveBack} returns to the queues a batch Connect did not ask for within {@code holdAtMost}.
     */
    public Prefetcher(String name, Step<T> step, Runnable whileWaiting, Consumer<List<T>> giveBack, Duration holdAtMost) {
        this.step = step;
        this.whileWaiting = whileWaiting;
        this.giveBack = giveBack;
        this.holdAtMost = holdAtMost;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true); // a worker that exits without stopping the task must not be kept alive by it
        thread.start();
    }

    private void run() {
        try {
            while (!closed) {
                List<T> batch = step.next();
                if (!batch.isEmpty()) {
                    handOver(batch);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            failure = e; // the next poll fails the task with it; the jobs in hand are released by the task's stop
        }
    }

    /**
     * Leaves the batch for the next poll and waits until Connect took it, so that the task is never more than one
     * batch ahead (each batch ahead is jobs leased and not yet on their way to Kafka). If the task is stopped first,
     * the batch's jobs stay in hand and the task's stop releases them. If Connect does not ask for it within
     * {@code holdAtMost} (the connector was paused, or Kafka is that slow), the batch is given back to its queues,
     * for other consumers, and nothing more is taken until Connect polls again.
     */
    private void handOver(List<T> batch) throws InterruptedException {
        long giveBackAt = System.nanoTime() + holdAtMost.toNanos();
        ready.add(batch); // empty: the previous batch was taken before this one was
        while (!closed && !ready.isEmpty()) {
            pauseWhile(() -> !ready.isEmpty());
            whileWaiting.run();
            if (System.nanoTime() - giveBackAt > 0 && ready.remove(batch)) {
                giveBack.accept(batch);
                while (!closed && waitingPolls.get() == 0) {
                    pauseWhile(() -> waitingPolls.get() == 0);
                    whileWaiting.run();
                }
                return;
            }
        }
    }

    /** Waits one slice while {@code condition} holds; checked under the lock that poll notifies with, so no wake-up is missed. */
    private void pauseWhile(BooleanSupplier condition) throws InterruptedException {
        synchronized (taken) {
            if (!closed && condition.getAsBoolean()) {
                taken.wait(HANDOVER_SLICE_MILLIS);
            }
        }
    }

    /**
     * The next batch taken, waiting up to {@code wait} for it; null when none came in time. Throws when the thread
     * failed, so that the worker fails the task with the cause instead of polling an idle task forever.
     */
    public List<T> poll(Duration wait) throws InterruptedException {
        Throwable failed = failure;
        if (failed != null) {
            throw new ConnectException("the source task's Redis thread failed: " + failed, failed);
        }
        waitingPolls.incrementAndGet();
        List<T> batch;
        try {
            synchronized (taken) {
                taken.notifyAll(); // a thread that gave its batch back may take again
            }
            batch = ready.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        } finally {
            waitingPolls.decrementAndGet();
        }
        if (batch != null) {
            synchronized (taken) {
                taken.notifyAll(); // the thread may take the next batch now
            }
        }
        return batch;
    }

    /**
     * Stops taking and waits up to {@code wait} for the thread to end (a take blocked in Redis ends at the latest
     * after the task's poll.wait.ms). Batches not handed over stay with the task's consumers, which release them.
     */
    public void close(Duration wait) {
        closed = true;
        synchronized (taken) {
            taken.notifyAll();
        }
        try {
            thread.join(Math.max(1, wait.toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
