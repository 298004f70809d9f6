package dev.qbridge.benchmarks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One timed run: how many jobs moved in how long, and the CPU the redis-server and this JVM spent meanwhile
 * (-1 when unknown).
 */
record Measurement(long jobs, long nanos, long serverCpuNanos, long clientCpuNanos) {

    Measurement(long jobs, long nanos) {
        this(jobs, nanos, -1, -1);
    }

    double seconds() {
        return nanos / 1e9;
    }

    double jobsPerSecond() {
        return nanos <= 0 ? 0 : jobs * 1e9 / nanos;
    }

    /** Share of one core the redis-server used (1.0 = one core busy all the time), or -1. */
    double serverCores() {
        return serverCpuNanos < 0 || nanos <= 0 ? -1 : (double) serverCpuNanos / nanos;
    }

    /** Cores this JVM used on average (all its threads, GC and JIT included), or -1. */
    double clientCores() {
        return clientCpuNanos < 0 || nanos <= 0 ? -1 : (double) clientCpuNanos / nanos;
    }

    /** Server CPU per job in microseconds, or -1. */
    double serverMicrosPerJob() {
        return serverCpuNanos < 0 || jobs <= 0 ? -1 : serverCpuNanos / 1e3 / jobs;
    }

    /** Client CPU per job in microseconds, or -1. */
    double clientMicrosPerJob() {
        return clientCpuNanos < 0 || jobs <= 0 ? -1 : clientCpuNanos / 1e3 / jobs;
    }

    /** The run with the median rate (the lower middle one for an even count), robust to one noisy run. */
    static Measurement median(List<Measurement> runs) {
        List<Measurement> sorted = new ArrayList<>(runs);
        sorted.sort(Comparator.comparingDouble(Measurement::jobsPerSecond));
        return sorted.get((sorted.size() - 1) / 2);
    }
}
