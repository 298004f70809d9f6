package dev.qbridge.core.retry;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential delay with a maximum for waiting out an outage (Redis restarting, unreachable, failing
 * over). Not thread-safe: one per loop. {@link #reset()} after a success.
 */
public final class Backoff {

    private final Duration initial;
    private final Duration max;
    private int failures;

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    public static Backoff forOutages() {
        return new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /** The wait after one more failure: doubled each time, capped, with a quarter of jitter. */
    public Duration next() {
        failures++;
        double base = initial.toMillis() * Math.pow(2, Math.min(failures - 1, 30));
        double capped = Math.min(base, max.toMillis());
        return Duration.ofMillis(Math.round(capped * (0.75 + 0.25 * ThreadLocalRandom.current().nextDouble())));
    }

    /** Sleeps for {@link #next()}; returns false when interrupted (the interrupt flag is kept). */
    public boolean sleep() {
        try {
            Thread.sleep(next().toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public void reset() {
        failures = 0;
    }

    /** Failures since the last success: 1 on the first, so a loop can log an outage once. */
    public int failures() {
        return failures;
    }
}
