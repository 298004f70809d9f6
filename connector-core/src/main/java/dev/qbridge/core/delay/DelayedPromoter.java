package dev.qbridge.core.delay;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Moves due jobs from a delayed queue (sorted set, score = due time) to a reliable queue's ready list, the
 * guide's delayed-queue worker made atomic: many promoters may run at once without pushing a job twice.
 */
public final class DelayedPromoter {

    private static final LuaScript PROMOTE = LuaScript.load(DelayedPromoter.class, "promote");
    private static final int BATCH = 1000;

    private final RedisConnection redis;
    private final byte[] delayedKey;
    private final byte[] targetKey;
    private final DueTimeUnit unit;

    public DelayedPromoter(RedisConnection redis, String delayedQueue, String targetQueue, DueTimeUnit unit) {
        this.redis = redis;
        this.delayedKey = delayedQueue.getBytes(StandardCharsets.UTF_8);
        this.targetKey = targetQueue.getBytes(StandardCharsets.UTF_8);
        this.unit = unit;
        if (redis.isCluster() && redis.slot(delayedKey) != redis.slot(targetKey)) {
            throw new QueueException(QueueException.Kind.CONFIG, "delayed queue '" + delayedQueue + "' and its target '"
                    + targetQueue + "' hash to different Redis Cluster slots; give both the same hash tag, such as {"
                    + targetQueue + "}:delayed and {" + targetQueue + "}");
        }
    }

    /** Promotes every job due by now, 1,000 per script call; returns how many moved. */
    public long promoteDue() {
        long promoted = 0;
        while (true) {
            long moved = (Long) redis.eval(PROMOTE, List.of(delayedKey, targetKey),
                    List.of(ascii(BATCH), ascii(unit.millisPerUnit())));
            promoted += moved;
            if (moved < BATCH) {
                return promoted;
            }
        }
    }

    private static byte[] ascii(long value) {
        return Long.toString(value).getBytes(StandardCharsets.US_ASCII);
    }
}
