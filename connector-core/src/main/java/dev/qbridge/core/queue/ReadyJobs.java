package dev.qbridge.core.queue;

import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a queue's ready jobs page by page in the order a take serves them, taking none: a reliable queue's list from
 * its tail, then each extra ready list the same way; a sorted set by rank; a sorted set shared with other queues by
 * rank too, through only this queue's members, chosen in Redis by the rule every script on the set uses
 * (shared-set.lua). A position counts jobs for a list and members read for a sorted set.
 */
final class ReadyJobs {

    /** Members of a shared set read per script call: other queues' members are read past, this many at a time. */
    private static final int SHARED_WINDOW = 1000;

    private static final LuaScript RANGE_SHARED = LuaScript.load(RedisQueue.class, "range-shared", "shared-set");

    private final RedisConnection redis;
    private final QueueConfig config;
    private final QueueKeys keys;

    ReadyJobs(RedisConnection redis, QueueConfig config) {
        this.redis = redis;
        this.config = config;
        this.keys = config.keys();
    }

    ReadyPage page(long from, int max) {
        if (from < 0 || max < 1) {
            throw new IllegalArgumentException("from must be at least 0 and max at least 1, were " + from + " and " + max);
        }
        if (config.kind() == QueueKind.RELIABLE) {
            return fromLists(from, max);
        }
        return config.sharedSet() == null ? fromSortedSet(from, max) : fromSharedSet(from, max);
    }

    private ReadyPage fromLists(long from, int max) {
        List<byte[]> lists = new ArrayList<>();
        lists.add(keys.ready());
        lists.addAll(keys.extraReady());
        List<ReadyJob> jobs = new ArrayList<>(max);
        long skip = from;
        boolean end = false;
        for (int i = 0; i < lists.size() && jobs.size() < max; i++) {
            int want = max - jobs.size();
            // consumers take from the tail: the next job is the last element
            List<byte[]> tail = new ArrayList<>(redis.lrange(lists.get(i), -(skip + want), -(skip + 1)));
            Collections.reverse(tail);
            tail.forEach(p -> jobs.add(new ReadyJob(p, Optional.empty())));
            if (tail.size() == want) {
                break;
            }
            // this list ends within the page: the next one starts after what is left to skip of this one, which is
            // nothing once it returned jobs, and otherwise its length (asked only then: LRANGE does not say it)
            skip = tail.isEmpty() && skip > 0 ? Math.max(0, skip - redis.llen(lists.get(i))) : 0;
            end = i == lists.size() - 1;
        }
        return new ReadyPage(jobs, from + jobs.size(), end);
    }

    private ReadyPage fromSortedSet(long from, int max) {
        List<ReadyJob> jobs = new ArrayList<>(max);
        for (Map.Entry<byte[], Double> e : redis.zrangeWithScores(keys.ready(), from, from + max - 1).entrySet()) {
            jobs.add(new ReadyJob(e.getKey(), Optional.of(Scores.format(e.getValue()))));
        }
        return new ReadyPage(jobs, from + jobs.size(), jobs.size() < max);
    }

    private ReadyPage fromSharedSet(long from, int max) {
        QueueConfig.SharedSet shared = config.sharedSet();
        List<ReadyJob> jobs = new ArrayList<>(max);
        long rank = from;
        boolean end = false;
        while (jobs.size() < max && !end) {
            List<?> reply = (List<?>) redis.eval(RANGE_SHARED, List.of(keys.ready()), List.of(utf8(shared.field()),
                    utf8(shared.value()), utf8(Long.toString(rank)), utf8(Integer.toString(max - jobs.size())),
                    utf8(Integer.toString(SHARED_WINDOW))));
            rank = RedisQueue.asLong(reply.get(0));
            end = RedisQueue.asLong(reply.get(1)) == 1;
            for (int i = 2; i + 1 < reply.size(); i += 2) {
                jobs.add(new ReadyJob((byte[]) reply.get(i),
                        Optional.of(new String((byte[]) reply.get(i + 1), StandardCharsets.US_ASCII))));
            }
        }
        return new ReadyPage(jobs, rank, end);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
