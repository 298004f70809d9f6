package dev.qbridge.chaos;

import dev.qbridge.core.queue.DeadLetter;
import dev.qbridge.core.queue.RedisQueue;
import dev.qbridge.core.redis.RedisConnection;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts what arrived downstream: every job id in the sink's queue (read from its tail, which nobody pops, so
 * a read never misses an entry however much the sink pushes meanwhile) and its dead list, and the dead letters
 * of the source queue by kind of input and reason.
 */
final class Downstream {

    private static final byte[] ID_FIELD = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final int CHUNK = 10_000;

    private final RedisConnection redis;
    private final RedisQueue out;
    private final RedisQueue in;
    private final int jobs;
    private final BitSet seen;
    private long read;
    private long records;
    private long unexpected;
    private final java.util.Set<String> companions = new java.util.HashSet<>();
    private long outDead;

    Downstream(RedisConnection redis, RedisQueue out, RedisQueue in, int jobs) {
        this.redis = redis;
        this.out = out;
        this.in = in;
        this.jobs = jobs;
        this.seen = new BitSet(jobs);
    }

    /** Reads what the sink wrote since the last call. */
    void refresh() {
        while (true) {
            List<byte[]> chunk = redis.lrange(out.keys().ready(), -(read + CHUNK), -(read + 1));
            for (byte[] payload : chunk) {
                count(payload);
            }
            read += chunk.size();
            if (chunk.size() < CHUNK) {
                break;
            }
        }
        outDead = out.counts().dead();
        for (DeadLetter d : out.deadLetters((int) Math.min(outDead, 100_000))) {
            count(d.payload()); // nobody consumes the out queue, so this stays empty; a job there still arrived
        }
    }

    private void count(byte[] payload) {
        records++;
        String id = idOf(payload);
        if (id != null && id.startsWith(JobFeed.COMPANION_PREFIX)) {
            companions.add(id);
            return;
        }
        if (id != null && id.startsWith(JobFeed.JOB_PREFIX)) {
            int n = Integer.parseInt(id.substring(JobFeed.JOB_PREFIX.length()));
            if (n >= 0 && n < jobs) {
                seen.set(n);
                return;
            }
        }
        unexpected++;
    }

    /** The value of the first "id" field, read without a JSON parser (1M payloads per run). */
    static String idOf(byte[] payload) {
        outer:
        for (int i = 0; i + ID_FIELD.length <= payload.length; i++) {
            for (int j = 0; j < ID_FIELD.length; j++) {
                if (payload[i + j] != ID_FIELD[j]) {
                    continue outer;
                }
            }
            int from = i + ID_FIELD.length;
            int to = from;
            while (to < payload.length && payload[to] != '"') {
                to++;
            }
            return to < payload.length ? new String(payload, from, to - from, StandardCharsets.UTF_8) : null;
        }
        return null;
    }

    long present() {
        return seen.cardinality();
    }

    long missing() {
        return jobs - present();
    }

    /** The first few missing ids, for the report. */
    List<String> missingSample(int max) {
        List<String> sample = new java.util.ArrayList<>();
        for (int i = seen.nextClearBit(0); i < jobs && sample.size() < max; i = seen.nextClearBit(i + 1)) {
            sample.add(JobFeed.jobId(i));
        }
        return sample;
    }

    long records() {
        return records;
    }

    long duplicates() {
        return records - unexpected - present() - companions.size();
    }

    /** Distinct jobs of the companion queue downstream. */
    long companionsPresent() {
        return companions.size();
    }

    long unexpected() {
        return unexpected;
    }

    long outDead() {
        return outDead;
    }

    /** The source queue's dead letters: kind of input -> reason -> distinct inputs. */
    Map<String, Map<String, Long>> sourceDeadLetters() {
        Map<String, Map<String, java.util.Set<String>>> ids = new TreeMap<>();
        long dead = in.counts().dead();
        for (DeadLetter d : in.deadLetters((int) Math.min(dead, 1_000_000))) {
            String id = idOf(d.payload());
            String kind = id == null ? "no id" : id.startsWith(JobFeed.BAD_JSON_PREFIX) ? "malformed JSON"
                    : id.startsWith(JobFeed.OVERSIZED_PREFIX) ? "oversized" : "good job";
            ids.computeIfAbsent(kind, k -> new TreeMap<>()).computeIfAbsent(d.reason(), r -> new java.util.TreeSet<>())
                    .add(id == null ? d.id() + "" : id);
        }
        Map<String, Map<String, Long>> counts = new TreeMap<>();
        ids.forEach((kind, reasons) -> reasons.forEach((reason, set) ->
                counts.computeIfAbsent(kind, k -> new TreeMap<>()).put(reason, (long) set.size())));
        return counts;
    }
}
