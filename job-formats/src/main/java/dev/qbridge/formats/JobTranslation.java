package dev.qbridge.formats;

import io.cloudevents.CloudEvent;
import java.util.Optional;

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
        this.queue = queue;
        this.codec = queue.format().codec();
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
        if (codec.isEmpty()) {
            return payload;
        }
        return JobEvents.serialize(event(payload));
    }

    /**
     * The event of a job system's job, for paths that also carry its attributes apart (Kafka headers and key).
     *
     * @throws UnreadableJobException with the reason, for the dead-letter queue
     * @throws IllegalStateException for a raw or json queue, whose jobs are no events
     */
    public CloudEvent event(byte[] payload) {
        return codec.orElseThrow(() -> new IllegalStateException("a " + queue.format() + " queue's jobs are no events"))
                .toEvent(payload, queue.name());
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
        CloudEvent event = JobEvents.parse(body);
        String task = taskMap.apply(event.getType());
        if (!task.equals(event.getType())) {
            event = io.cloudevents.core.builder.CloudEventBuilder.from(event).withType(task).build();
        }
        return codec.get().toNative(event, queue.name());
    }
}
