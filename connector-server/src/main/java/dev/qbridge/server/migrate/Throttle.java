package dev.qbridge.server.migrate;

import java.util.function.BooleanSupplier;

/** Paces writes to a rate in jobs per second; the pause ends early when the migration is asked to stop. */
final class Throttle {

    private static final long SLICE_NANOS = 100_000_000L;

    private final Integer rate;
    private final long started = System.nanoTime();
    private long count;

    /** {@code rate} null or not positive: no pacing. */
    Throttle(Integer rate) {
        this.rate = rate;
    }

    void after(int jobs, BooleanSupplier stop) {
        if (rate == null || rate <= 0) {
            return;
        }
        count += jobs;
        long due = started + (long) (count * 1e9 / rate);
        long wait;
        while ((wait = due - System.nanoTime()) > 0 && !stop.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(wait, SLICE_NANOS) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
