package dev.qbridge.core.lease;

import dev.qbridge.core.queue.QueueConfig;
import dev.qbridge.core.queue.QueueKeys;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Requeues the jobs of consumers that died or hung: expired leases go back to be delivered again (or to
 * dead letters once out of attempts), and jobs stuck in a guide-style {@code <queue>:processing} list go
 * back to the ready list. Each call is atomic per batch, so any number of reapers may run at once.
 */
public final class Reaper {

    private static final LuaScript REAP = LuaScript.load(Reaper.class, "reap");
    private static final LuaScript RESCUE = LuaScript.load(Reaper.class, "rescue-processing");
    private static final int BATCH = 1000;

    /** What one pass did. */
    public record Result(long requeued, long deadLettered) {
        public long total() {
            return requeued + deadLettered;
        }
    }

    /** What one pass over a guide-style processing list did. */
    public record Rescue(long rescued, long tracked) {
    }

    private final RedisConnection redis;
    private final QueueConfig config;
    private final QueueKeys keys;

    public Reaper(RedisConnection redis, QueueConfig config) {
        this.redis = redis;
        this.config = config;
        this.keys = config.keys();
    }

    /** Requeues every lease that has expired by now, 1,000 per script call. */
    public Result reapExpired() {
        long requeued = 0;
        long dead = 0;
        while (true) {
            List<?> reply = (List<?>) redis.eval(REAP, List.of(keys.leases(), keys.reaped(), keys.dead()),
                    List.of(ascii(BATCH), ascii(config.retry().maxAttempts())));
            long r = (Long) reply.get(0);
            long d = (Long) reply.get(1);
            requeued += r;
            dead += d;
            if (r + d < BATCH) {
                return new Result(requeued, dead);
            }
        }
    }

    /**
     * Rescues jobs that foreign consumers left in {@code <queue>:processing} longer than {@code olderThan}
     * since this reaper (or another) first saw them there. Only for reliable queues, whose ready key is a list.
     * The first pass only starts the clocks; call it regularly.
     */
    public Rescue rescueGuideProcessing(Duration olderThan) {
        if (config.kind() != QueueKind.RELIABLE) {
            return new Rescue(0, 0);
        }
        List<?> reply = (List<?>) redis.eval(RESCUE, List.of(keys.processing(), keys.processingSeen(), keys.ready()),
                List.of(ascii(olderThan.toMillis()), ascii(10_000)));
        return new Rescue((Long) reply.get(0), (Long) reply.get(1));
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
