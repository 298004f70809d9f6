package dev.qbridge.kafka.sink;

import dev.qbridge.core.QueueException;
import dev.qbridge.core.queue.DueTimeUnit;
import dev.qbridge.core.queue.QueueKeys;
import dev.qbridge.formats.JobFormat;
import dev.qbridge.formats.SystemQueue;
import dev.qbridge.core.queue.QueueKind;
import dev.qbridge.core.redis.RedisConnection;
import dev.qbridge.core.script.LuaScript;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes records into one queue together with the offsets of their partitions, in one Lua call per batch
 * ({@code write-batch.lua}), so that jobs and offsets change together or not at all. Offsets live in
 * {@code <queue>:qbridge:sink-offsets:<connector>}: one hash per connector, so two connectors writing the same
 * queue never overwrite each other's offsets, and beside the queue's keys, so on Redis Cluster they share the
 * queue's hash tag and slot. Thread-safe.
 */
public final class ExactlyOnceWriter {

    private static final LuaScript WRITE_BATCH = LuaScript.load(ExactlyOnceWriter.class, "write-batch");
    private static final LuaScript READ_OFFSETS = LuaScript.load(ExactlyOnceWriter.class, "read-offsets");

    /**
     * One record on its way to Redis: where it came from and, unless it is a bad record that is only passed
     * over (its offset still advances), the job to push.
     *
     * @param score '' for a reliable queue, the integer priority, or 'at&lt;ms&gt;' / 'in&lt;ms&gt;' for a delayed one
     */
    public record Entry(TopicPartition partition, long offset, String score, byte[] payload) {
        public static Entry job(TopicPartition partition, long offset, String score, byte[] payload) {
            return new Entry(partition, offset, score, payload);
        }

        public static Entry passOver(TopicPartition partition, long offset) {
            return new Entry(partition, offset, null, null);
        }

        boolean isJob() {
            return payload != null;
        }
    }

    /** What one call did, and the offsets now stored for the batch's partitions. */
    public record Result(long written, long skipped, Map<TopicPartition, Long> nextOffsets) {
    }

    private final RedisConnection redis;
    private final String connector;
    private final QueueKind kind;
    private final byte[] millisPerUnit;

    public ExactlyOnceWriter(RedisConnection redis, String connector, QueueKind kind, DueTimeUnit unit) {
        this.redis = redis;
        this.connector = connector;
        this.kind = kind;
        this.millisPerUnit = ascii(Long.toString(unit.millisPerUnit()));
    }

    /** The hash that holds a connector's offsets for one queue. */
    public static String offsetsKey(String queue, String connector) {
        return queue + ":qbridge:sink-offsets:" + connector;
    }

    /** The hash field of one partition. */
    public static String field(TopicPartition tp) {
        return tp.topic() + "/" + tp.partition();
    }

    /**
     * Writes one batch (at most 1,000 entries, in offset order within each partition) in one atomic step:
     * records below the stored offset of their partition are skipped, the others pushed, and the stored
     * offsets advanced past the batch.
     */
    public Result write(String queue, List<Entry> batch) {
        return write(SystemQueue.ready(JobFormat.RAW, queue), batch);
    }

    /**
     * Writes one batch into a job system's queue: as {@link #write(String, List)}, into the list each entry's score
     * names ({@link #listScore}), and with the queue registered in the system's set of queues in the same step.
     */
    public Result write(SystemQueue queue, List<Entry> batch) {
        List<byte[]> keys = keys(queue);
        Map<TopicPartition, Integer> index = new LinkedHashMap<>();
        Map<TopicPartition, Long> next = new LinkedHashMap<>();
        for (Entry e : batch) {
            index.putIfAbsent(e.partition(), index.size() + 1);
            next.merge(e.partition(), e.offset() + 1, Math::max);
        }
        List<byte[]> args = new ArrayList<>(4 + 2 * index.size() + 4 * batch.size());
        // a job system's sorted set takes each job at its own time, in epoch seconds as the system writes them
        args.add(ascii(queue.isSharedSet() ? QueueKind.DELAYED.toString() : kind.toString()));
        args.add(queue.isSharedSet() ? ascii("1000") : millisPerUnit);
        args.add(ascii(Integer.toString(index.size())));
        args.add(queue.registryKey() == null ? new byte[0] : utf8(queue.name()));
        for (TopicPartition tp : index.keySet()) {
            args.add(field(tp).getBytes(StandardCharsets.UTF_8));
            args.add(ascii(Long.toString(next.get(tp))));
        }
        for (Entry e : batch) {
            if (!e.isJob()) {
                continue;
            }
            args.add(ascii(Integer.toString(index.get(e.partition()))));
            args.add(ascii(Long.toString(e.offset())));
            args.add(ascii(e.score()));
            args.add(e.payload());
        }
        List<?> reply = (List<?>) redis.eval(WRITE_BATCH, keys, args);
        return new Result((Long) reply.get(0), (Long) reply.get(1), next);
    }

    /** The next offsets stored for these partitions of one queue; partitions without any are absent. */
    public Map<TopicPartition, Long> readOffsets(String queue, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> offsets = new HashMap<>();
        if (partitions.isEmpty()) {
            return offsets;
        }
        List<TopicPartition> order = List.copyOf(partitions);
        List<byte[]> fields = order.stream().map(tp -> field(tp).getBytes(StandardCharsets.UTF_8)).toList();
        List<?> reply = (List<?>) redis.eval(READ_OFFSETS, List.of(utf8(offsetsKey(queue, connector))), fields);
        for (int i = 0; i < order.size(); i++) {
            if (reply.get(i) instanceof byte[] value) {
                offsets.put(order.get(i), Long.parseLong(new String(value, StandardCharsets.US_ASCII)));
            }
        }
        return offsets;
    }

    /**
     * The score of an entry for a job system's list: '' for the queue's own ready list, {@code L<n>} for the n-th of
     * its further ready lists (Celery's priority lists), so that one batch can fill them all in one step.
     */
    public static String listScore(SystemQueue queue, String key) {
        int n = queue.moreReadyKeys().indexOf(key);
        return n < 0 ? "" : "L" + (n + 1);
    }

    private List<byte[]> keys(SystemQueue systemQueue) {
        String queue = systemQueue.baseKey();
        QueueKeys queueKeys = new QueueKeys(queue, systemQueue.readyKey());
        List<byte[]> keys = new ArrayList<>(List.of(queueKeys.ready(), queueKeys.sequence(),
                utf8(offsetsKey(queue, connector))));
        if (systemQueue.registryKey() != null || !systemQueue.moreReadyKeys().isEmpty()) {
            // KEYS[4] is the registry set (when ARGV[4] names a member), KEYS[5..] the further lists
            keys.add(utf8(systemQueue.registryKey() == null ? queue : systemQueue.registryKey()));
            systemQueue.moreReadyKeys().forEach(k -> keys.add(utf8(k)));
        }
        if (redis.isCluster()) {
            int slot = redis.slot(keys.get(0));
            for (byte[] key : keys) {
                if (redis.slot(key) != slot) {
                    throw new QueueException(QueueException.Kind.CONFIG, "queue '" + queue + "' cannot take exactly-once "
                            + "writes on Redis Cluster: its keys and its offsets hash to different slots; name the queue "
                            + "with a hash tag, such as {" + queue + "} (queue={${topic}})");
                }
            }
        }
        return keys;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
