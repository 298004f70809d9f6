package dev.qbridge.formats;

import io.cloudevents.CloudEvent;

/**
 * The neutral envelope on the wire: CloudEvents 1.0 in JSON structured mode, written and read by the CloudEvents
 * SDK's Jackson format.
 */
public final class JobEvents {

    private JobEvents() {
    }

    /** The structured-mode JSON of an event. */
    public static byte[] serialize(CloudEvent event) {
        throw new UnsupportedOperationException("being written (issue 13)");
    }

    /**
     * An event from a body: CloudEvents JSON (structured mode), or a plain JSON object with {@code type} (the task),
     * {@code args} and optionally {@code kwargs} and {@code id}, for producers that do not speak CloudEvents.
     *
     * @throws UnreadableJobException saying why the body is neither
     */
    public static CloudEvent parse(byte[] body) {
        throw new UnsupportedOperationException("being written (issue 13)");
    }
}
