package dev.qbridge.formats;

import io.cloudevents.CloudEvent;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns one job system's native jobs into the neutral envelope and back. Reading then writing the same system
 * restores every field its workers use; writing accepts an event read from any system (or a plain JSON body,
 * {@link JobEvents#parse}).
 */
public interface JobCodec {

    JobFormat format();

    /**
     * The event of a native job exactly as the system's client stored it in queue {@code queue}'s ready list.
     *
     * @throws UnreadableJobException with the parser's reason, for the dead-letter queue
     */
    default CloudEvent toEvent(byte[] job, String queue) {
        return toEvent(job, queue, JobSet.READY, Optional.empty());
    }

    /**
     * The event of a native job kept in {@code set} under the time {@code at}, the score of the system's sorted
     * set (a Sidekiq schedule or retry entry is due then, a dead one died then; Sidekiq keeps that time only in the
     * score, not in the job). The event carries it as {@link JobExtensions#SCHEDULED} or {@link JobExtensions#DIED}.
     *
     * @throws UnreadableJobException with the parser's reason, for the dead-letter queue
     */
    default CloudEvent toEvent(byte[] job, String queue, JobSet set, Optional<Instant> at) {
        return toEvent(new NativeJob(job, at, OptionalInt.empty()), queue, set);
    }

    /**
     * The event of a job as its system stores it in {@code set} of queue {@code queue}: the element of its queue
     * with, where the system keeps one (RQ), the job's own hash, and the score it was kept under.
     *
     * @throws UnreadableJobException with the parser's reason, for the dead-letter queue
     */
    CloudEvent toEvent(NativeJob job, String queue, JobSet set);

    /**
     * The event of {@link #toEvent(byte[], String, JobSet, Optional)} written as CloudEvents JSON, with its attributes
     * as text. A codec may write it without building the event, to the same bytes.
     *
     * @throws UnreadableJobException with the parser's reason, for the dead-letter queue
     */
    default WrittenEvent write(byte[] job, String queue, JobSet set, Optional<Instant> at) {
        return WrittenEvent.of(toEvent(job, queue, set, at));
    }

    /**
     * The native job this system's own client would write for {@code event} into queue {@code queue}, with the
     * score it is kept under when the set is a sorted one.
     *
     * @throws UnreadableJobException when the event cannot be a job of this system, with the reason
     */
    NativeJob toNative(CloudEvent event, String queue);

    /**
     * As {@link #toNative(CloudEvent, String)}, for a system whose job records the set it is in (RQ's {@code status}
     * and {@code enqueued_at}); the others write the same job whatever the set.
     */
    default NativeJob toNative(CloudEvent event, String queue, JobSet set) {
        return toNative(event, queue);
    }
}
