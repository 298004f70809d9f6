package dev.qbridge.benchmarks;

import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import redis.clients.jedis.UnifiedJedis;

/**
 * CPU spent by the redis-server ({@code INFO cpu}: used_cpu_user + used_cpu_sys) and by this JVM
 * (OperatingSystemMXBean) over a timed section. It tells where a rate's limit is: a server near 100% of one
 * core is the bottleneck; a client using the rest of the machine's cores is. Reading it costs one round trip
 * before and one after, outside the timed part.
 */
final class CpuMeter {

    private static final Pattern CPU = Pattern.compile("used_cpu_(?:user|sys):([0-9.]+)");

    private final UnifiedJedis jedis;
    private long serverStart;
    private long clientStart;

    CpuMeter(UnifiedJedis jedis) {
        this.jedis = jedis;
    }

    void start() {
        serverStart = serverCpuNanos();
        clientStart = clientCpuNanos();
    }

    /** A measurement of {@code jobs} over {@code nanos} with the CPU both sides used since {@link #start()}. */
    Measurement stop(long jobs, long nanos) {
        long client = clientCpuNanos();
        long server = serverCpuNanos();
        return new Measurement(jobs, nanos, server < 0 || serverStart < 0 ? -1 : server - serverStart,
                client < 0 || clientStart < 0 ? -1 : client - clientStart);
    }

    private long serverCpuNanos() {
        try {
            Matcher m = CPU.matcher(jedis.info("cpu"));
            double seconds = 0;
            boolean found = false;
            while (m.find()) {
                seconds += Double.parseDouble(m.group(1));
                found = true;
            }
            return found ? (long) (seconds * 1e9) : -1;
        } catch (RuntimeException e) {
            return -1;
        }
    }

    private static long clientCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return -1;
    }
}
