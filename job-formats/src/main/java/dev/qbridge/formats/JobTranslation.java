package dev.qbridge.formats;

import io.cloudevents.CloudEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a path does to a job between a queue and the rest of the world. For raw and json queues nothing: the bytes
 * pass as they are. For a job system's queue, a native job leaves as a CloudEvent ({@link #outbound}) and a
 * CloudEvent (from any system) or a plain JSON body arrives as a native job ({@link #inbound}), its task renamed by
 * the task map.
 */
public final class JobTranslation {

    private final SystemQueue queue;
    private final Optional<JobCodec> codec;
    private final TaskMap taskMap;

    public JobTranslation(SystemQueue queue, TaskMap taskMap) {
        this(queue, taskMap, queue.format().codec());
    }

    /** With a codec configured apart from the format's default (RQ's serializer: {@code new RqCodec(JSON)}). */
    public JobTranslation(SystemQueue queue, TaskMap taskMap, JobCodec codec) {
        this(queue, taskMap, Optional.of(codec));
        if (codec.format() != queue.format()) {
            throw new IllegalArgumentException("a " + codec.format() + " codec for a " + queue.format() + " queue");
        }
    }

    private JobTranslation(SystemQueue queue, TaskMap taskMap, Optional<JobCodec> codec) {
        this.queue = queue;
        this.codec = codec;
        this.taskMap = taskMap;
    }

    public SystemQueue queue() {
        return queue;
    }

    /** True when jobs are passed as they are. */
    public boolean isIdentity() {
        return codec.isEmpty();
    }

    /**
     * The bytes a job of this queue leaves as: the payload itself, or its event's structured JSON.
     *
     * @throws UnreadableJobException with the reason, for the dead-letter queue
     */
    public byte[] outbound(byte[] payload) {
        return outbound(payload, Optional.empty());
    }

    /**
     * As {@link #outbound(byte[])}, for a job taken with its score: from a system's sorted set, the time it is due or
     * died, in epoch seconds as the systems write it.
     */
    public byte[] outbound(byte[] payload, Optional<String> score) {
        return outbound(payload, Map.of(), score);
    }

    /**
     * As {@link #outbound(byte[], Optional)}, for a job taken with its hash from a queue that
     * {@link SystemQueue#keepsJobsInHashes()} (the payload is its id); {@code hash} is empty for the other queues.
     */
    public byte[] outbound(byte[] payload, Map<String, byte[]> hash, Optional<String> score) {
        if (codec.isEmpty()) {
            return payload;
        }
        return written(payload, hash, score).json();
    }

    /**
     * The event of a job system's job written out, with its attributes as text, for paths that also carry them apart
     * (Kafka headers and key).
     *
     * @throws UnreadableJobException with the reason, for the dead-letter queue
     * @throws IllegalStateException for a raw or json queue, whose jobs are no events
     */
    public WrittenEvent written(byte[] payload, Optional<String> score) {
        return written(payload, Map.of(), score);
    }

    /**
     * As {@link #written(byte[], Optional)}, for a job taken with its hash from a queue that
     * {@link SystemQueue#keepsJobsInHashes()}; {@code hash} is empty for the other queues.
     */
    public WrittenEvent written(byte[] payload, Map<String, byte[]> hash, Optional<String> score) {
        JobCodec c = systemCodec();
        if (queue.keepsJobsInHashes()) {
            return WrittenEvent.of(event(payload, hash, score)); // no streamed writer for the systems of hashes yet
        }
        if (!queue.isSharedSet() || score.isEmpty()) {
            return c.write(payload, queue.name(), JobSet.READY, Optional.empty());
        }
        return c.write(payload, queue.name(), queue.set(), Optional.of(epochSeconds(score.get())));
    }

    /**
     * The event of a job system's job, for paths that also carry its attributes apart (Kafka headers and key).
     *
     * @throws UnreadableJobException with the reason, for the dead-letter queue
     * @throws IllegalStateException for a raw or json queue, whose jobs are no events
     */
    public CloudEvent event(byte[] payload) {
        return event(payload, Optional.empty());
    }

    /** As {@link #event(byte[])}, with the job's score when it was taken from a system's sorted set. */
    public CloudEvent event(byte[] payload, Optional<String> score) {
        return event(payload, Map.of(), score);
    }

    /**
     * As {@link #event(byte[], Optional)}, for a queue that {@link SystemQueue#keepsJobsInHashes()}: the payload is
     * the job's id, {@code hash} the fields of its hash, read in the same script that took the id.
     */
    public CloudEvent event(byte[] payload, Map<String, byte[]> hash, Optional<String> score) {
        JobCodec c = systemCodec();
        boolean scored = score.isPresent() && (queue.isSharedSet() || queue.keepsJobsInHashes());
        Optional<Instant> at = !scored ? Optional.empty() : Optional.of(queue.format() == JobFormat.BULLMQ
                ? BullmqCodec.timeOfScore(score.get(), queue.set()) : epochSeconds(score.get()));
        return c.toEvent(new NativeJob(payload, at, OptionalInt.empty(), hash), queue.name(), queue.set());
    }

    private JobCodec systemCodec() {
        return codec.orElseThrow(() -> new IllegalStateException("a " + queue.format() + " queue's jobs are no events"));
    }

    private static Instant epochSeconds(String score) {
        try {
            BigDecimal seconds = new BigDecimal(score);
            return Instant.ofEpochSecond(0, seconds.movePointRight(9).setScale(0, RoundingMode.HALF_UP).longValueExact());
        } catch (NumberFormatException | ArithmeticException e) {
            throw new UnreadableJobException("its score " + score + " is no time in epoch seconds");
        }
    }

    /**
     * The native job a body arriving for this queue becomes: the body itself, or the job the system's own client
     * would write for the event (or plain JSON job) in it.
     *
     * @throws UnreadableJobException with the reason, when the body is no event or job this system can take
     */
    public NativeJob inbound(byte[] body) {
        if (codec.isEmpty()) {
            return NativeJob.of(body);
        }
        return codec.get().toNative(taskMap.apply(JobEvents.parse(body)), queue.name(), queue.set());
    }
}
