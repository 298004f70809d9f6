package dev.qbridge.benchmarks;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waiting for a bridge to finish its jobs: the end of a timed part, polled every 5 ms. */
final class Await {

    static final Duration TIMEOUT = Duration.ofMinutes(10);

    private Await() {
    }

    /** Returns once {@code condition} holds; fails with {@code failure} after {@link #TIMEOUT}. */
    static void until(BooleanSupplier condition, String failure) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(failure + " within " + TIMEOUT.toMinutes() + " minutes");
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting: " + failure, e);
            }
        }
    }
}
