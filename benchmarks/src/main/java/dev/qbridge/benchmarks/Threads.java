package dev.qbridge.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Running the harness's worker threads, waiting for them and surfacing what one of them threw. */
final class Threads {

    private Threads() {
    }

    /** One round of a consumer: how many jobs it finished, or {@link #EMPTY} once the preloaded queue is empty. */
    static final long EMPTY = -1;

    /**
     * Drains a preloaded queue with {@code threads} consumers, all released at once, each calling {@code round} until
     * it answers {@link #EMPTY}; only the drain is measured. Returns the measurement and adds every round's count to
     * {@code done}. {@code name} names the threads and, in a failure, the consumer.
     */
    static Measurement drain(CpuMeter cpu, int jobs, int threads, String name, LongSupplier round, LongAdder done) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> consumers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread consumer = new Thread(() -> {
                try {
                    go.await();
                    for (long n = round.getAsLong(); n != EMPTY; n = round.getAsLong()) {
                        done.add(n);
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, name + "-" + t);
            consumers.add(consumer);
            consumer.start();
        }
        cpu.start();
        long start = System.nanoTime();
        go.countDown();
        joinAll(consumers);
        Measurement m = cpu.stop(jobs, System.nanoTime() - start);
        rethrow(failure.get(), "a " + name + " consumer");
        return m;
    }

    static void joinAll(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + t.getName(), e);
            }
        }
    }

    /** Rethrows what a worker thread failed with, if anything; {@code who} names the thread in the message. */
    static void rethrow(Throwable failure, String who) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw new IllegalStateException(who + " failed", failure);
        }
    }
}
