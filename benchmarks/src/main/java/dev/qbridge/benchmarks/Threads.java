package dev.qbridge.benchmarks;

import java.util.List;

/** Waiting for the harness's worker threads and surfacing what one of them threw. */
final class Threads {

    private Threads() {
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
